import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Puts a file's written data on disk (fdatasync); resolves when it is there. */
export type SyncFile = (path: string) => Promise<void>;

/**
 * fdatasync of `path` on libuv's thread pool, off the event loop. A missing file (SQLite deletes its
 * -wal when the last connection closes, after checkpointing it into the database) syncs `fallback`.
 */
export function datasyncFile(fallback: string): SyncFile {
  return async (path) => {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, constants.O_RDONLY);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path === fallback) throw err;
      handle = await open(fallback, constants.O_RDONLY);
    }
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  };
}

/**
 * Coalesced syncs of one file: `sync()` resolves once a sync that started after the call has
 * finished. While one runs, every call made meanwhile shares the next one, so a burst of commits
 * costs two fdatasyncs, not one each.
 */
export class CoalescedSync {
  readonly #path: string;
  readonly #syncFile: SyncFile;
  #running = false;
  /** Callers waiting for the sync after the running one. */
  #queued: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];

  constructor(path: string, syncFile: SyncFile) {
    this.#path = path;
    this.#syncFile = syncFile;
  }

  sync(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queued.push({ resolve, reject });
      if (!this.#running) this.#next();
    });
  }

  /** Starts a sync for everyone queued now; when it ends, the next for those who came meanwhile. */
  #next(): void {
    const waiting = this.#queued;
    if (waiting.length === 0) return;
    this.#queued = [];
    this.#running = true;
    this.#syncFile(this.#path).then(
      () => this.#done(waiting, undefined),
      (err: unknown) => this.#done(waiting, err ?? new Error('sync failed')),
    );
  }

  #done(waiting: ReadonlyArray<{ resolve: () => void; reject: (err: unknown) => void }>, err: unknown): void {
    this.#running = false;
    this.#next();
    for (const w of waiting) {
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
  }
}
