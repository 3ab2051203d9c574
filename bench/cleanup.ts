import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Everything the bench started, so that a normal end, an error and Ctrl-C all stop it. Async
 * closers run newest first; child processes and temporary folders also have a synchronous
 * last resort on process exit (SIGKILL, rm -rf).
 */
export class Cleanup {
  readonly #closers = new Map<number, { name: string; close: () => Promise<void> }>();
  readonly #children = new Set<ChildProcess>();
  readonly #dirs = new Set<string>();
  #next = 0;

  /** Registers a closer; call the returned function once it ran by other means. */
  add(name: string, close: () => Promise<void>): () => void {
    const key = this.#next++;
    this.#closers.set(key, { name, close });
    return () => this.#closers.delete(key);
  }

  child(child: ChildProcess): void {
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
  }

  dir(path: string): () => void {
    this.#dirs.add(path);
    return () => {
      this.#dirs.delete(path);
      rmSync(path, { recursive: true, force: true });
    };
  }

  /** Runs every closer (bounded each), then the synchronous last resort. */
  async runAll(timeoutMs = 15_000): Promise<void> {
    const closers = [...this.#closers.entries()].reverse();
    this.#closers.clear();
    for (const [, { name, close }] of closers) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          close(),
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              process.stderr.write(`cleanup: ${name} took over ${timeoutMs} ms, moving on\n`);
              resolve();
            }, timeoutMs);
          }),
        ]);
      } catch (error) {
        process.stderr.write(`cleanup: ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      } finally {
        clearTimeout(timer);
      }
    }
    this.killNow();
  }

  /** Synchronous: safe inside a process 'exit' handler. */
  killNow(): void {
    for (const child of this.#children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    this.#children.clear();
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
    this.#dirs.clear();
  }
}
