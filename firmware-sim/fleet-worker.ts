import type { ModelSpec } from '../src/registry/spec/index.js';
import { type FleetStats, LocalFleet, type LocalFleetOptions } from './fleet-local.js';

/**
 * A worker process of a multi-process fleet (forked by `Fleet`): it runs its slice of devices as a
 * `LocalFleet` and sends counters to the parent over IPC. It ignores SIGINT/SIGTERM: Ctrl-C reaches
 * the whole process group, and the parent decides when to stop (or dies, which closes IPC).
 */

export type WorkerRequest =
  | {
      readonly type: 'start';
      readonly options: Omit<LocalFleetOptions, 'log' | 'spec'> & { readonly spec: ModelSpec };
      readonly statsIntervalMs: number;
    }
  | { readonly type: 'stop' };

export type WorkerReport =
  | { readonly type: 'started' }
  | { readonly type: 'stats'; readonly stats: FleetStats }
  | { readonly type: 'stopped'; readonly stats: FleetStats }
  | { readonly type: 'failed'; readonly message: string };

function send(report: WorkerReport): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) resolve();
    else process.send(report, undefined, undefined, () => resolve());
  });
}

function runWorker(): void {
  let fleet: LocalFleet | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (timer !== undefined) clearInterval(timer);
      const stats = fleet === undefined ? undefined : await fleet.stop();
      if (stats !== undefined) await send({ type: 'stopped', stats });
      if (process.connected) process.disconnect?.();
    })();
    return stopping;
  };
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  process.on('disconnect', () => {
    void stop();
  });
  process.on('message', (request: WorkerRequest) => {
    if (request.type === 'stop') {
      void stop();
      return;
    }
    try {
      const active = new LocalFleet(request.options);
      fleet = active;
      timer = setInterval(() => void send({ type: 'stats', stats: active.stats() }), request.statsIntervalMs);
      active.start().then(
        () => void send({ type: 'started' }),
        (error: unknown) => void send({ type: 'failed', message: String(error) }),
      );
    } catch (error) {
      void send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }).then(
        stop,
      );
    }
  });
}

runWorker();
