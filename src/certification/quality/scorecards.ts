import { HubError } from '../../errors.js';
import type { Identity } from '../../identity/identity.js';
import type { Engine } from '../../store/engine.js';
import { quantile } from './histogram.js';
import { dayOf } from './recorder.js';
import * as store from './store.js';

const DAY_MS = 86_400_000;

/** A rate in basis points (10,000 = 100 %), null when there is nothing to divide by. */
function bp(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part * 10_000) / whole);
}

export interface Scorecard {
  readonly modelId: string;
  readonly partnerId: string;
  readonly commands: {
    readonly total: number;
    readonly ok: number;
    readonly errors: Record<string, number>;
    readonly timeouts: number;
    readonly successRateBp: number | null;
  };
  readonly replyLatencyMs: {
    readonly p50: number | null;
    readonly p95: number | null;
    readonly samples: number;
  };
  readonly offline: { readonly devices: number; readonly hoursPerDevicePerDay: number | null };
  readonly connects: { readonly total: number; readonly perDevicePerDay: number | null };
  readonly rejectedReports: { readonly total: number; readonly byReason: Record<string, number> };
  readonly updates: {
    readonly finished: number;
    readonly failed: number;
    readonly failureRateBp: number | null;
  };
  readonly sales: {
    readonly sold: number;
    readonly refunded: number;
    readonly activated: number;
    readonly refundRateBp: number | null;
    readonly activationRateBp: number | null;
  };
  readonly certification: ReadonlyArray<{
    readonly version: number;
    readonly kind: 'run' | 'report' | 'override';
    readonly verdict: string | null;
    readonly firmwareRevision: string | null;
    readonly at: string;
  }>;
}

export interface ScorecardWindow {
  readonly days: number;
  readonly from: string;
  readonly to: string;
}

/**
 * Quality scorecards per partner and model (issue 17, item 5), from live data: the recorder's
 * counters, firmware executions, orders, refunds and activations, and certification history.
 */
export class ScorecardService {
  readonly #db: Engine;
  readonly #now: () => number;
  readonly #flush: () => Promise<void>;

  /** `flush` writes this process's pending counts first, so a scorecard is up to the moment. */
  constructor(db: Engine, now: () => number, flush: () => Promise<void> = async () => undefined) {
    this.#db = db;
    this.#now = now;
    this.#flush = flush;
  }

  /** Every model of a partner (the partner itself, or the operator). */
  async partner(caller: Identity, partnerId: string, days: number) {
    if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'scorecards are for partners and operators');
    if (caller.kind === 'partner' && caller.partnerId !== partnerId) {
      throw new HubError('NOT_FOUND', `partner ${partnerId} not found`);
    }
    const models = await store.models(this.#db, { partnerId });
    return { partnerId, window: this.#window(days), models: await this.#cards(models, days) };
  }

  /** One model, with its figures per day (the chart). */
  async model(caller: Identity, modelId: string, days: number) {
    if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'scorecards are for partners and operators');
    const [model] = await store.models(this.#db, { modelIds: [modelId] });
    if (model === undefined || (caller.kind === 'partner' && model.partner_id !== caller.partnerId)) {
      throw new HubError('NOT_FOUND', `model ${modelId} not found`);
    }
    const window = this.#window(days);
    const [card] = await this.#cards([model], days);
    const rows = await store.dailyCounters(this.#db, modelId, window.from, window.to);
    const byDay = new Map<string, Record<string, number>>();
    for (const r of rows) byDay.set(r.day, { ...byDay.get(r.day), [r.metric]: r.n });
    const daily = [...byDay].map(([day, m]) => ({
      day,
      commands: m['commands'] ?? 0,
      commandsOk: m['commands_ok'] ?? 0,
      timeouts: m['commands_timeout'] ?? 0,
      offlineMs: m['offline_ms'] ?? 0,
      connects: m['connects'] ?? 0,
      rejectedReports: m['rejected'] ?? 0,
    }));
    return { window, scorecard: card, daily };
  }

  /** Models of any partners side by side (the operator's comparison). */
  async compare(caller: Identity, modelIds: readonly string[], days: number) {
    if (caller.kind !== 'operator') throw new HubError('FORBIDDEN', 'comparing partners is for the operator');
    const models = await store.models(this.#db, { modelIds });
    return { window: this.#window(days), models: await this.#cards(models, days) };
  }

  #window(days: number): ScorecardWindow {
    const now = this.#now();
    return { days, from: dayOf(now - (days - 1) * DAY_MS), to: dayOf(now) };
  }

  async #cards(
    models: ReadonlyArray<{ id: string; partner_id: string }>,
    days: number,
  ): Promise<Scorecard[]> {
    await this.#flush();
    const ids = models.map((m) => m.id);
    const now = this.#now();
    const window = this.#window(days);
    const [counters, fleet, updates, sales, history] = await Promise.all([
      store.readCounters(this.#db, { modelIds: ids }, window.from, window.to),
      store.connectedDevices(this.#db, ids),
      store.updateOutcomes(this.#db, ids, now - days * DAY_MS, now + 1),
      store.salesFigures(this.#db, ids, now - days * DAY_MS, now + 1),
      store.certificationHistory(this.#db, ids),
    ]);
    return models.map((m) => {
      const mine = counters.filter((c) => c.model_id === m.id);
      const sum = (metric: string) => mine.filter((c) => c.metric === metric).reduce((a, c) => a + c.n, 0);
      const labels = (metric: string) =>
        Object.fromEntries(mine.filter((c) => c.metric === metric).map((c) => [c.label, c.n]));
      const latency = new Map(mine.filter((c) => c.metric === 'latency_ms').map((c) => [c.label, c.n]));
      const total = sum('commands');
      const ok = sum('commands_ok');
      const devices = fleet.get(m.id) ?? 0;
      const deviceDays = devices * days;
      const upd = updates.filter((u) => u.model_id === m.id);
      const finished = upd.reduce((a, u) => a + u.n, 0);
      const failed = upd.filter((u) => u.state !== 'succeeded').reduce((a, u) => a + u.n, 0);
      const sale = sales.find((s) => s.model_id === m.id) ?? { sold: 0, refunded: 0, activated: 0 };
      const connects = sum('connects');
      return {
        modelId: m.id,
        partnerId: m.partner_id,
        commands: {
          total,
          ok,
          errors: labels('commands_error'),
          timeouts: sum('commands_timeout'),
          successRateBp: bp(ok, total),
        },
        replyLatencyMs: {
          p50: quantile(latency, 0.5),
          p95: quantile(latency, 0.95),
          samples: [...latency.values()].reduce((a, b) => a + b, 0),
        },
        offline: {
          devices,
          hoursPerDevicePerDay:
            deviceDays === 0 ? null : Math.round((sum('offline_ms') / 3_600_000 / deviceDays) * 100) / 100,
        },
        connects: {
          total: connects,
          perDevicePerDay: deviceDays === 0 ? null : Math.round((connects / deviceDays) * 100) / 100,
        },
        rejectedReports: { total: sum('rejected'), byReason: labels('rejected') },
        updates: { finished, failed, failureRateBp: bp(failed, finished) },
        sales: {
          ...sale,
          refundRateBp: bp(sale.refunded, sale.sold),
          activationRateBp: bp(sale.activated, sale.sold),
        },
        certification: history
          .filter((h) => h.model_id === m.id)
          .slice(0, 50)
          .map((h) => ({
            version: Number(h.version),
            kind: h.kind,
            verdict: h.verdict,
            firmwareRevision: h.firmware_revision,
            at: new Date(Number(h.at)).toISOString(),
          })),
      };
    });
  }
}
