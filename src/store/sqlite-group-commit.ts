import type Database from 'better-sqlite3';
import type { CoalescedSync } from './file-sync.js';
import { wrap } from './sqlite-statements.js';

/**
 * Group commit for SQLite's durable transactions (`{ durable: true }`: commerce, ledger). Each one
 * used to be its own `BEGIN IMMEDIATE ... COMMIT` with an fsync of the WAL, on the event loop: about
 * a millisecond or more of the loop blocked per purchase, so a flash-sale opening was bounded by the
 * disk, not by the work.
 *
 * Now the first durable transaction opens a group (`BEGIN IMMEDIATE`); it and the durable
 * transactions that follow before the next turn of the event loop each run in a `SAVEPOINT` of it,
 * and the group commits once at `setImmediate`, or earlier when any other write needs the
 * connection. The COMMIT writes the group's pages to the WAL (synchronous = NORMAL: into the OS,
 * which keeps them if the process dies), then one fdatasync of the WAL runs on libuv's thread pool
 * (`CoalescedSync`: the commits made while one runs share the next) instead of holding the event
 * loop for the disk (~10 ms on the development machine). A member's promise settles only after that
 * sync: "answered" still means "on disk". Other connections may see a group's rows from its COMMIT,
 * before the sync, as they see any non-durable commit. With the engine at synchronous = FULL the
 * COMMIT itself syncs, and nothing runs after it. A member that throws is rolled back to its
 * savepoint alone; a failed COMMIT or sync (or an error that ends SQLite's transaction) fails every
 * member of the group, none of which has answered. Members run one after another (the engine's
 * write queue), so each sees the ones before it, as with separate transactions.
 */
export class DurableGroups {
  readonly #writer: Database.Database;
  /** Undefined when the COMMIT is durable by itself (synchronous = FULL) or nothing is on disk. */
  readonly #wal: CoalescedSync | undefined;
  #group: Group | undefined;

  /** `wal`: the -wal file to sync after a commit at synchronous = NORMAL. */
  constructor(writer: Database.Database, wal: CoalescedSync | undefined) {
    this.#writer = writer;
    this.#wal = wal;
  }

  get open(): boolean {
    return this.#group !== undefined;
  }

  /**
   * Runs `body` as a member of the open group (opening one if none is): the caller holds the
   * engine's write queue. Resolves with the group's commit, which the caller awaits after releasing
   * the queue (so that more members can join): see `Member.committed`.
   */
  async member<T>(body: () => Promise<T>, scheduleCommit: (commit: () => void) => void): Promise<Member<T>> {
    let group = this.#group;
    if (group === undefined) {
      try {
        this.#writer.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw wrap(err);
      }
      group = newGroup();
      this.#group = group;
      const opened = group;
      scheduleCommit(() => {
        if (this.#group === opened) this.flush();
      });
    }
    const savepoint = `durable_${++group.members}`;
    this.#writer.exec(`SAVEPOINT ${savepoint}`);
    let result: T;
    try {
      result = await body();
      this.#writer.exec(`RELEASE ${savepoint}`);
    } catch (err) {
      if (this.#writer.inTransaction) {
        this.#writer.exec(`ROLLBACK TO ${savepoint}`);
        this.#writer.exec(`RELEASE ${savepoint}`);
      } else {
        // SQLite ended the whole transaction (disk full, I/O): the members before this one are lost.
        this.#fail(group, err);
      }
      throw err;
    }
    return { result, committed: group.committed };
  }

  /** Commits the open group, if any (the caller holds the write queue). */
  flush(): void {
    const group = this.#group;
    if (group === undefined) return;
    this.#group = undefined;
    try {
      this.#writer.exec('COMMIT');
    } catch (err) {
      if (this.#writer.inTransaction) this.#writer.exec('ROLLBACK');
      group.reject(wrap(err));
      return;
    }
    if (this.#wal === undefined) group.resolve();
    else this.#wal.sync().then(group.resolve, group.reject);
  }

  #fail(group: Group, err: unknown): void {
    if (this.#group !== group) return;
    this.#group = undefined;
    group.reject(wrap(err));
  }
}

export interface Member<T> {
  readonly result: T;
  /** Settles when the member's group has committed (or failed: then the member failed too). */
  readonly committed: Promise<void>;
}

interface Group {
  members: number;
  readonly committed: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const committed = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Every member awaits `committed`; a group that fails before its first member returns has none.
  committed.catch(() => undefined);
  return { members: 0, committed, resolve, reject };
}
