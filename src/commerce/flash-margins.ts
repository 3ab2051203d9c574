import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Engine, Queryable } from '../store/engine.js';
import { minorUnitsOf } from './currencies.js';
import { type BatchView, chartLink, type FlashBatches } from './flash-batches.js';
import { marginChartSvg } from './flash-chart.js';
import * as store from './flash-store.js';
import { marginBp } from './money.js';
import { findModelOwner } from './store-catalog.js';

export interface LifetimeMargin {
  readonly currency: string;
  /** Units sold less units refunded (ledger). */
  readonly unitsSold: number;
  readonly revenueMinor: number;
  readonly commissionMinor: number;
  /** BOM cost of the sold units still sold, each at its production batch's cost. */
  readonly bomCostMinor: number;
  /** Sold units whose device is not from a production batch (no recorded cost): left out of the cost. */
  readonly unitsWithoutBatchCost: number;
  /** revenue - commission - BOM cost; marginBp of the revenue. */
  readonly marginMinor: number;
  readonly marginBp: number | null;
}

export interface ModelMarginsView {
  readonly modelId: string;
  readonly lifetime: LifetimeMargin[];
  readonly batches: BatchView[];
  readonly links: { readonly chart: string };
}

export interface FlashMarginsOptions {
  readonly store: Engine;
  readonly now: () => number;
  readonly rateAt: (partnerId: string, atMs: number, db: Queryable) => Promise<number>;
  readonly batches: FlashBatches;
}

/** A model's margin over its lifetime and per batch, and its price / BOM / margin chart (SVG). */
export class FlashMargins {
  readonly #o: FlashMarginsOptions;

  constructor(options: FlashMarginsOptions) {
    this.#o = options;
  }

  async model(caller: Identity, modelId: string): Promise<ModelMarginsView> {
    await this.#owner(caller, modelId);
    const db = this.#o.store;
    const costs = new Map((await store.soldUnitCosts(db, modelId)).map((r) => [r.currency, r]));
    const lifetime = (await store.lifetimeSales(db, modelId)).map((s): LifetimeMargin => {
      const c = costs.get(s.currency);
      const revenue = Number(s.revenue);
      const commission = Number(s.commission);
      const cost = Number(c?.cost ?? 0);
      const margin = revenue - commission - cost;
      return {
        currency: s.currency,
        unitsSold: Number(s.units),
        revenueMinor: revenue,
        commissionMinor: commission,
        bomCostMinor: cost,
        unitsWithoutBatchCost: Number(c?.uncosted ?? 0),
        marginMinor: margin,
        marginBp: revenue > 0 ? marginBp(margin, revenue) : null,
      };
    });
    const { items } = await this.#o.batches.list(caller, { modelId }, { limit: 1000 });
    return { modelId, lifetime, batches: items, links: { chart: chartLink(modelId) } };
  }

  /** The chart in one currency (default: the active SKU's, else the first with a price). */
  async chart(caller: Identity, modelId: string, currency?: string): Promise<string> {
    const partnerId = await this.#owner(caller, modelId);
    const db = this.#o.store;
    const cur = currency ?? (await store.anyActivePrice(db, modelId))?.currency ?? 'EUR';
    const now = this.#o.now();
    const prices = await store.priceHistory(db, modelId, cur);
    const costs = await store.costHistory(db, modelId, cur);
    const batches = (await store.batchesOf(db, { modelId, limit: 200 })).filter((b) => b.currency === cur);
    return marginChartSvg({
      title: `${modelId}: price, BOM cost and margin (${cur})`,
      currency: cur,
      minorUnits: minorUnitsOf(cur) ?? 2,
      now,
      prices: prices.map((p) => ({ from: p.created_at, until: p.deactivated_at, priceMinor: p.price_minor })),
      costs: costs.map((c) => ({ from: c.effective_from, costMinor: c.cost_minor })),
      rateBp: await this.#o.rateAt(partnerId, now, db),
      batches: batches.slice(0, 200).map((b, i) => ({
        at: b.created_at,
        label: `#${i + 1} ${b.units} u ${b.status}`,
        held: b.status === 'held',
      })),
    });
  }

  /** The model's partner, if the caller may see its margins (its partner or an operator); else NOT_FOUND. */
  async #owner(caller: Identity, modelId: string): Promise<string> {
    const owner = await findModelOwner(this.#o.store, modelId);
    const visible =
      owner !== undefined &&
      (caller.kind === 'operator' || (caller.kind === 'partner' && caller.partnerId === owner.partner_id));
    if (!visible) throw new HubError('NOT_FOUND', 'model not found');
    return owner.partner_id;
  }
}
