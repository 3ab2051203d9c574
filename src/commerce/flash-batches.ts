import type { Logger } from 'pino';
import { type FieldError, HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Engine, Queryable, Transaction } from '../store/engine.js';
import type { Page, PageRequest } from '../store/page.js';
import * as store from './flash-store.js';
import { commissionFor, marginBp } from './money.js';

export interface BatchInput {
  readonly batchId: string;
  /** BOM cost per unit at build time; default: the model's BOM cost in force now, in `currency`. */
  readonly bomCostMinor?: number | undefined;
  /** Default: the currency of the model's active SKU (the first, by currency code). */
  readonly currency?: string | undefined;
  /** Hold the batch out of stock until the margin at the current price reaches this (bp). */
  readonly holdUntilMarginBp?: number | undefined;
}

/** price - BOM - commission, per unit, in the batch's currency; null parts when a price or cost is missing. */
export interface MarginFigures {
  readonly priceMinor: number | null;
  readonly bomCostMinor: number | null;
  readonly commissionMinor: number | null;
  readonly rateBp: number;
  readonly marginMinor: number | null;
  readonly marginBp: number | null;
}

export interface BatchView {
  readonly batchId: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly currency: string;
  readonly units: number;
  /** BOM cost per unit recorded when the batch was built. */
  readonly bomCostMinor: number;
  readonly status: store.BatchStatus;
  readonly holdUntilMarginBp: number | null;
  /** Units given to pre-orders. */
  readonly allocated: number;
  readonly createdAt: string;
  readonly releasedAt: string | null;
  readonly releaseReason: store.ReleaseReason | null;
  /** The margin per unit at the batch's own BOM cost, at the current price and rate. */
  readonly margin: MarginFigures;
  /** The margin a held batch waits for: the current price against the BOM cost in force now. */
  readonly marginNow: MarginFigures;
  readonly links: { readonly chart: string };
}

export interface FlashBatchesOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly rateAt: (partnerId: string, atMs: number, db: Queryable) => Promise<number>;
  /** Gives released units to waiting pre-orders (FlashPreorders.allocate), inside the release's transaction. */
  readonly allocate: (tx: Transaction, modelId: string, now: number) => Promise<number>;
  /** Called after a release commits (metrics). */
  readonly onRelease?: (reason: store.ReleaseReason) => void;
}

function invalid(errors: FieldError[]): HubError {
  return new HubError('VALIDATION_FAILED', errors.map((e) => `${e.path} ${e.message}`).join('; '), {
    errors,
  });
}

export const chartLink = (modelId: string) => `/v1/models/${encodeURIComponent(modelId)}/margin-chart.svg`;

/**
 * Production batches: a provisioning batch with its BOM cost per unit at build time, optionally held
 * out of stock until the margin at the current price (price - BOM cost in force now - commission at
 * the rate in force now) reaches the partner's threshold; then released by the sweep, or by the
 * partner at any time. A release puts the devices in stock and gives them first to waiting pre-orders.
 */
export class FlashBatches {
  readonly #o: FlashBatchesOptions;

  constructor(options: FlashBatchesOptions) {
    this.#o = options;
  }

  async create(caller: Identity, input: BatchInput): Promise<{ created: boolean; batch: BatchView }> {
    if (caller.kind !== 'partner')
      throw new HubError('FORBIDDEN', 'only a partner records its production batches');
    const db = this.#o.store;
    const pb = await store.findProvisioningBatch(db, input.batchId);
    if (!pb || pb.partner_id !== caller.partnerId) {
      throw new HubError('NOT_FOUND', '/batchId is not a provisioning batch of yours', {
        errors: [{ path: '/batchId', message: 'is not a provisioning batch of yours' }],
      });
    }
    const existing = await store.findBatch(db, input.batchId);
    if (existing) return { created: false, batch: await this.#view(existing) };
    const now = this.#o.now();
    const currency = input.currency ?? (await this.#defaultCurrency(pb.model_id));
    if (currency === undefined)
      throw invalid([
        { path: '/currency', message: 'is required: the model has no active SKU to take it from' },
      ]);
    const cost = input.bomCostMinor ?? (await store.costAt(db, pb.model_id, currency, now))?.cost_minor;
    if (cost === undefined) {
      throw invalid([
        {
          path: '/bomCostMinor',
          message: `is required: the model has no BOM cost in ${currency} in force now`,
        },
      ]);
    }
    const held = input.holdUntilMarginBp !== undefined;
    const reached = held
      ? await this.#reached(db, pb.model_id, currency, pb.partner_id, input.holdUntilMarginBp ?? 0, now)
      : undefined;
    const created = await db.transaction(
      async (tx) => {
        const row = {
          batch_id: pb.id,
          partner_id: pb.partner_id,
          model_id: pb.model_id,
          currency,
          units: pb.size,
          bom_cost_minor: cost,
          min_margin_bp: input.holdUntilMarginBp ?? null,
          created_at: now,
        };
        if (!(await store.insertBatch(tx, row))) return false;
        await store.holdBatchDevices(tx, pb.id, now);
        if (!held) await this.#release(tx, pb.id, 'not_held', null, now);
        else if (reached) await this.#release(tx, pb.id, 'margin', reached, now);
        return true;
      },
      { durable: true },
    );
    const batch = await store.findBatch(db, pb.id);
    if (!batch) throw new HubError('INTERNAL', 'the batch just recorded is missing');
    if (created) {
      this.#o.log.info(
        { batchId: pb.id, modelId: pb.model_id, cost, status: batch.status },
        'production batch recorded',
      );
      if (batch.status === 'released') this.#o.onRelease?.(batch.release_reason ?? 'not_held');
    }
    return { created, batch: await this.#view(batch) };
  }

  /** The partner releases a held batch now, whatever its margin. */
  async release(caller: Identity, batchId: string): Promise<BatchView> {
    const batch = await this.#managed(caller, batchId);
    if (batch.status !== 'held') throw new HubError('INVALID_STATE', 'the batch is already released');
    const now = this.#o.now();
    const figures = await this.marginNow(this.#o.store, batch, now);
    const done = await this.#o.store.transaction(
      (tx) => this.#release(tx, batchId, 'partner', figures, now),
      {
        durable: true,
      },
    );
    if (!done) throw new HubError('INVALID_STATE', 'the batch is already released');
    this.#o.onRelease?.('partner');
    this.#o.log.info({ batchId }, 'production batch released by its partner');
    return this.view(caller, batchId);
  }

  /** The sweep: releases every held batch whose margin at the current price has reached its threshold. */
  async releaseDue(): Promise<number> {
    let released = 0;
    for (const batch of await store.heldBatches(this.#o.store, 500)) {
      const now = this.#o.now();
      const figures = await this.marginNow(this.#o.store, batch, now);
      if (figures.marginBp === null || figures.marginBp < (batch.min_margin_bp ?? 0)) continue;
      const done = await this.#o.store.transaction(
        (tx) => this.#release(tx, batch.batch_id, 'margin', figures, now),
        { durable: true },
      );
      if (done) {
        released++;
        this.#o.onRelease?.('margin');
        this.#o.log.info(
          { batchId: batch.batch_id, marginBp: figures.marginBp },
          'held batch released: margin reached',
        );
      }
    }
    return released;
  }

  async view(caller: Identity, batchId: string): Promise<BatchView> {
    return this.#view(await this.#managed(caller, batchId));
  }

  async list(
    caller: Identity,
    q: { modelId?: string | undefined },
    page: PageRequest,
  ): Promise<Page<BatchView>> {
    if (caller.kind !== 'partner' && caller.kind !== 'operator')
      throw new HubError('FORBIDDEN', 'production batches are their partner’s');
    const rows = await store.batchesOf(this.#o.store, {
      partnerId: caller.kind === 'partner' ? caller.partnerId : undefined,
      modelId: q.modelId,
      after: page.after as readonly [number, string] | undefined,
      limit: page.limit,
    });
    const shown = rows.slice(0, page.limit);
    const items: BatchView[] = [];
    for (const r of shown) items.push(await this.#view(r));
    const last = shown.at(-1);
    return { items, next: rows.length > page.limit && last ? [last.created_at, last.batch_id] : null };
  }

  /** Margin per unit now: the active price, the BOM cost in force now, the commission at the rate now. */
  async marginNow(db: Queryable, batch: store.BatchRow, now: number): Promise<MarginFigures> {
    const cost = (await store.costAt(db, batch.model_id, batch.currency, now))?.cost_minor ?? null;
    return this.#figures(db, batch.model_id, batch.currency, batch.partner_id, cost, now);
  }

  async #figures(
    db: Queryable,
    modelId: string,
    currency: string,
    partnerId: string,
    cost: number | null,
    now: number,
  ): Promise<MarginFigures> {
    const price = (await store.activePrice(db, modelId, currency))?.price_minor ?? null;
    const rateBp = await this.#o.rateAt(partnerId, now, db);
    if (price === null || cost === null) {
      return {
        priceMinor: price,
        bomCostMinor: cost,
        commissionMinor: null,
        rateBp,
        marginMinor: null,
        marginBp: null,
      };
    }
    const commission = commissionFor(price, rateBp);
    const margin = price - cost - commission;
    return {
      priceMinor: price,
      bomCostMinor: cost,
      commissionMinor: commission,
      rateBp,
      marginMinor: margin,
      marginBp: marginBp(margin, price),
    };
  }

  async #reached(
    db: Queryable,
    modelId: string,
    currency: string,
    partnerId: string,
    threshold: number,
    now: number,
  ): Promise<MarginFigures | undefined> {
    const cost = (await store.costAt(db, modelId, currency, now))?.cost_minor ?? null;
    const f = await this.#figures(db, modelId, currency, partnerId, cost, now);
    return f.marginBp !== null && f.marginBp >= threshold ? f : undefined;
  }

  async #release(
    tx: Transaction,
    batchId: string,
    reason: store.ReleaseReason,
    f: MarginFigures | null,
    now: number,
  ): Promise<boolean> {
    const released = await store.markReleased(tx, batchId, {
      at: now,
      reason,
      priceMinor: f?.priceMinor ?? null,
      costMinor: f?.bomCostMinor ?? null,
      marginBp: f?.marginBp ?? null,
    });
    if (!released) return false;
    await store.releaseBatchDevices(tx, batchId);
    const batch = await store.findBatch(tx, batchId);
    if (batch) await this.#o.allocate(tx, batch.model_id, now);
    return true;
  }

  async #managed(caller: Identity, batchId: string): Promise<store.BatchRow> {
    const batch = await store.findBatch(this.#o.store, batchId);
    const mine =
      caller.kind === 'operator' || (caller.kind === 'partner' && batch?.partner_id === caller.partnerId);
    if (!batch || !mine) throw new HubError('NOT_FOUND', 'production batch not found');
    return batch;
  }

  async #defaultCurrency(modelId: string): Promise<string | undefined> {
    return (await store.anyActivePrice(this.#o.store, modelId))?.currency;
  }

  async #view(b: store.BatchRow): Promise<BatchView> {
    const now = this.#o.now();
    const db = this.#o.store;
    return {
      batchId: b.batch_id,
      partnerId: b.partner_id,
      modelId: b.model_id,
      currency: b.currency,
      units: b.units,
      bomCostMinor: b.bom_cost_minor,
      status: b.status,
      holdUntilMarginBp: b.min_margin_bp,
      allocated: b.allocated,
      createdAt: new Date(b.created_at).toISOString(),
      releasedAt: b.released_at === null ? null : new Date(b.released_at).toISOString(),
      releaseReason: b.release_reason,
      margin: await this.#figures(db, b.model_id, b.currency, b.partner_id, b.bom_cost_minor, now),
      marginNow: await this.marginNow(db, b, now),
      links: { chart: chartLink(b.model_id) },
    };
  }
}
