import { type ChildProcess, fork } from 'node:child_process';
import type { Cleanup } from './cleanup.js';
import {
  asResponseEnvelope,
  type GeneratorRequest,
  type GeneratorResults,
  type RequestEnvelope,
} from './generator-protocol.js';

interface Waiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The bench's handle on one generator process (see generator-worker.ts). */
export class Generator {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, Waiter>();
  readonly #unregister: () => void;
  #nextReq = 1;
  #exited: Error | undefined;

  private constructor(name: string, child: ChildProcess, cleanup: Cleanup) {
    this.name = name;
    this.#child = child;
    cleanup.child(child);
    this.#unregister = cleanup.add(`generator ${name}`, () => this.close());
    child.on('message', (message: unknown) => {
      const envelope = asResponseEnvelope(message);
      if (envelope === undefined) return;
      const waiter = this.#waiting.get(envelope.reqId);
      if (waiter === undefined) return;
      this.#waiting.delete(envelope.reqId);
      clearTimeout(waiter.timer);
      if (envelope.ok) waiter.resolve(envelope.result);
      else waiter.reject(new Error(`generator ${name}: ${envelope.error}`));
    });
    child.once('exit', (code, signal) => {
      this.#exited = new Error(`generator ${name} exited (${signal ?? `code ${code}`})`);
      for (const waiter of this.#waiting.values()) {
        clearTimeout(waiter.timer);
        waiter.reject(this.#exited);
      }
      this.#waiting.clear();
    });
  }

  /** Forks `workerPath` (dist/bench/generator-worker.js) and registers it for cleanup. */
  static start(name: string, workerPath: string, cleanup: Cleanup): Generator {
    const child = fork(workerPath, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Generator(name, child, cleanup);
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  call<R extends GeneratorRequest>(request: R, timeoutMs: number): Promise<GeneratorResults[R['op']]> {
    if (this.#exited) return Promise.reject(this.#exited);
    const reqId = this.#nextReq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(reqId);
        reject(new Error(`generator ${this.name}: ${request.op} took over ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(reqId, {
        resolve: (value) => resolve(value as GeneratorResults[R['op']]),
        reject,
        timer,
      });
      const envelope: RequestEnvelope = { reqId, request };
      // A child on its way out (Ctrl-C reaches the whole group) answers the send with EPIPE.
      this.#child.send(envelope, (error) => {
        if (error === null) return;
        clearTimeout(timer);
        this.#waiting.delete(reqId);
        reject(new Error(`generator ${this.name}: ${request.op} not sent: ${error.message}`));
      });
    });
  }

  /** Asks the generator to drop its connections and exit; kills it if it does not within 5 s. */
  async close(): Promise<void> {
    this.#unregister();
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await this.call({ op: 'close' }, 5000);
    } catch {
      // already gone or stuck: the kill below settles it
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
