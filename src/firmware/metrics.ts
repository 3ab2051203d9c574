import { Counter, Gauge, type Registry } from 'prom-client';
import type { ExecutionState } from './store-executions.js';

/** Firmware metrics, on the hub's registry (docs/ota.md, "Metrics"). */
export class FirmwareMetrics {
  readonly offers: Counter;
  readonly progress: Counter<'state'>;
  readonly finished: Counter<'state'>;
  readonly halts: Counter<'kind'>;
  readonly downloads: Counter<'kind'>;
  readonly executions: Gauge<'state'>;
  readonly rolloutProgress: Gauge<'rollout' | 'figure'>;

  constructor(
    registry: Registry,
    snapshot: () => {
      executions: ReadonlyMap<ExecutionState, number>;
      rollouts: ReadonlyArray<{
        id: string;
        total: number;
        succeeded: number;
        failed: number;
        stage: number;
      }>;
    },
  ) {
    const registers = [registry];
    this.offers = new Counter({
      name: 'ecohub_firmware_offers_total',
      help: 'Update offers sent',
      registers,
    });
    this.progress = new Counter({
      name: 'ecohub_firmware_progress_total',
      help: 'Progress reports accepted, by state',
      labelNames: ['state'],
      registers,
    });
    this.finished = new Counter({
      name: 'ecohub_firmware_attempts_finished_total',
      help: 'Update attempts ended, by state (succeeded, failed, timed_out, rejected, cancelled)',
      labelNames: ['state'],
      registers,
    });
    this.halts = new Counter({
      name: 'ecohub_firmware_rollout_halts_total',
      help: 'Rollouts that paused themselves, by kind (failures, health, stage)',
      labelNames: ['kind'],
      registers,
    });
    this.downloads = new Counter({
      name: 'ecohub_firmware_downloads_total',
      help: 'Firmware download requests, by kind (full, range, refused)',
      labelNames: ['kind'],
      registers,
    });
    this.executions = new Gauge({
      name: 'ecohub_firmware_executions',
      help: 'Executions of rollouts not yet over, by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const [state, n] of snapshot().executions) this.set({ state }, n);
      },
    });
    this.rolloutProgress = new Gauge({
      name: 'ecohub_firmware_rollout_devices',
      help: 'Devices of each running or paused rollout, by figure (total, succeeded, failed, stage)',
      labelNames: ['rollout', 'figure'],
      registers,
      collect() {
        this.reset();
        for (const r of snapshot().rollouts) {
          this.set({ rollout: r.id, figure: 'total' }, r.total);
          this.set({ rollout: r.id, figure: 'succeeded' }, r.succeeded);
          this.set({ rollout: r.id, figure: 'failed' }, r.failed);
          this.set({ rollout: r.id, figure: 'stage' }, r.stage);
        }
      },
    });
  }
}
