import type { Logger } from 'pino';
import { type FieldError, HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import { formatUtcDate, parseUtcDate } from '../partners/utc-date.js';
import type { Engine } from '../store/engine.js';
import { type Page, type PageKey, type PageRequest, pageOfList } from '../store/page.js';
import { isCurrency } from './currencies.js';
import { isSafeMinor, marginBp } from './money.js';
import * as store from './store-catalog.js';
import { stockOf } from './store-stock.js';
import { type BomView, bomView, type SkuView, type StoreSkuView, skuView, storeSkuView } from './views.js';

export interface CatalogOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
}

export interface SkuInput {
  readonly modelId: string;
  readonly name?: string | undefined;
  readonly priceMinor: number;
  readonly currency: string;
}

export interface BomInput {
  readonly costMinor: number;
  readonly currency: string;
  /** `YYYY-MM-DD` (UTC). */
  readonly effectiveFrom: string;
}

export interface MarginView {
  readonly skuId: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly priceMinor: number;
  readonly currency: string;
  /** The BOM cost in force now; null if none was recorded. */
  readonly bom: BomView | null;
  /** price - BOM cost, in minor units; null without a BOM cost in the SKU's currency. */
  readonly marginMinor: number | null;
  /** The margin as basis points of the price, half-to-even. */
  readonly marginBp: number | null;
}

export interface MarginPeriod {
  readonly from: string;
  /** The next period's start; null for the latest. */
  readonly until: string | null;
  readonly costMinor: number;
  readonly currency: string;
  readonly marginMinor: number | null;
  readonly marginBp: number | null;
}

function invalid(errors: FieldError[]): HubError {
  return new HubError('VALIDATION_FAILED', errors.map((e) => `${e.path} ${e.message}`).join('; '), {
    errors,
  });
}

function checkMoney(amount: number, currency: string, amountPath: string, min: number): void {
  const errors: FieldError[] = [];
  if (!isSafeMinor(amount) || amount < min) {
    errors.push({ path: amountPath, message: `must be an integer number of minor units, at least ${min}` });
  }
  if (!isCurrency(currency))
    errors.push({ path: '/currency', message: 'is not an active ISO 4217 currency code' });
  if (errors.length > 0) throw invalid(errors);
}

/** pageOf for views that need a query each (the page is at most `limit` rows). */
async function pageOfAsync<R, T>(
  rows: readonly R[],
  limit: number,
  keyOf: (row: R) => PageKey,
  view: (row: R) => Promise<T>,
): Promise<Page<T>> {
  const shown = rows.slice(0, limit);
  const items: T[] = [];
  for (const row of shown) items.push(await view(row));
  const last = shown.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? keyOf(last) : null };
}

function margin(priceMinor: number, currency: string, bom: store.BomRow | undefined) {
  if (!bom || bom.currency !== currency) return { marginMinor: null, marginBp: null };
  const marginMinor = priceMinor - bom.cost_minor;
  return { marginMinor, marginBp: marginBp(marginMinor, priceMinor) };
}

/**
 * SKUs (a partner's listing of a published model at a price), the public store, BOM costs over time
 * and gross margins. A partner sees and changes only its own; another's answer NOT_FOUND.
 */
export class CatalogService {
  readonly #o: CatalogOptions;

  constructor(options: CatalogOptions) {
    this.#o = options;
  }

  /** Lists a SKU; it replaces the model's active SKU in the same currency (re-pricing). */
  async createSku(caller: Identity, input: SkuInput): Promise<SkuView> {
    if (caller.kind !== 'partner') throw new HubError('FORBIDDEN', 'only a partner lists SKUs');
    checkMoney(input.priceMinor, input.currency, '/priceMinor', 1);
    const now = this.#o.now();
    const row: store.SkuRow = {
      id: newId(),
      partner_id: caller.partnerId,
      model_id: input.modelId,
      name: input.name ?? null,
      price_minor: input.priceMinor,
      currency: input.currency,
      created_at: now,
      deactivated_at: null,
    };
    const replaced = await this.#o.store.transaction(async (db) => {
      const model = await store.findModelOwner(db, input.modelId);
      if (!model || model.partner_id !== caller.partnerId) throw new HubError('NOT_FOUND', 'model not found');
      if (!model.published) {
        throw new HubError(
          'INVALID_STATE',
          `model ${input.modelId} has no published version: only published models are sold`,
        );
      }
      const previous = await store.deactivateActive(db, input.modelId, input.currency, now);
      await store.insertSku(db, row);
      return previous;
    });
    this.#o.log.info(
      { skuId: row.id, modelId: row.model_id, priceMinor: row.price_minor, currency: row.currency, replaced },
      'sku listed',
    );
    return await this.#view(row);
  }

  async skus(caller: Identity, q: { activeOnly: boolean }, page: PageRequest): Promise<Page<SkuView>> {
    const partnerId = this.#scope(caller);
    const rows = await store.listSkus(this.#o.store, { partnerId, activeOnly: q.activeOnly }, page);
    return pageOfAsync(
      rows,
      page.limit,
      (r) => [r.created_at, r.id],
      (r) => this.#view(r),
    );
  }

  async sku(caller: Identity, skuId: string): Promise<SkuView> {
    return this.#view(await this.#visibleSku(caller, skuId));
  }

  async deactivate(caller: Identity, skuId: string): Promise<SkuView> {
    const row = await this.#visibleSku(caller, skuId);
    if (!(await store.deactivateSku(this.#o.store, skuId, this.#o.now()))) {
      throw new HubError('INVALID_STATE', 'the SKU is already inactive');
    }
    this.#o.log.info({ skuId }, 'sku deactivated');
    return this.#view((await store.findSku(this.#o.store, row.id)) ?? row);
  }

  /** The public store: active SKUs of published models, with how many can be bought now. */
  async store(page: PageRequest): Promise<Page<StoreSkuView>> {
    return pageOfAsync(
      await store.listStoreSkus(this.#o.store, page),
      page.limit,
      (row) => [row.model_id, row.currency],
      async (row) =>
        storeSkuView(row, (await stockOf(this.#o.store, row.partner_id, row.model_id)).available),
    );
  }

  /** Appends a BOM cost for one of the partner's models (any state: costs are known before launch). */
  async addBom(caller: Identity, modelId: string, input: BomInput): Promise<BomView> {
    if (caller.kind !== 'partner') throw new HubError('FORBIDDEN', 'only the partner records BOM costs');
    checkMoney(input.costMinor, input.currency, '/costMinor', 0);
    const effectiveFrom = parseUtcDate(input.effectiveFrom);
    if (effectiveFrom === undefined) {
      throw invalid([{ path: '/effectiveFrom', message: 'must be a calendar date YYYY-MM-DD' }]);
    }
    const model = await store.findModelOwner(this.#o.store, modelId);
    if (!model || model.partner_id !== caller.partnerId) throw new HubError('NOT_FOUND', 'model not found');
    const row: store.BomRow = {
      id: newId(),
      partner_id: caller.partnerId,
      model_id: modelId,
      cost_minor: input.costMinor,
      currency: input.currency,
      effective_from: effectiveFrom,
      created_at: this.#o.now(),
    };
    await store.insertBom(this.#o.store, row);
    this.#o.log.info(
      { modelId, costMinor: row.cost_minor, effectiveFrom: input.effectiveFrom },
      'bom cost recorded',
    );
    return bomView(row);
  }

  /** The cost in force now and a page of the history in precedence order (a few rows a year: paged in memory). */
  async bom(
    caller: Identity,
    modelId: string,
    page: PageRequest,
  ): Promise<Page<BomView> & { current: BomView | null }> {
    const model = await store.findModelOwner(this.#o.store, modelId);
    const partnerId = this.#scope(caller);
    if (!model || (partnerId !== undefined && model.partner_id !== partnerId)) {
      throw new HubError('NOT_FOUND', 'model not found');
    }
    const current = await store.bomAt(this.#o.store, modelId, this.#o.now());
    const history = pageOfList(
      await store.listBom(this.#o.store, modelId),
      page,
      (r) => [r.effective_from, r.created_at, r.id],
      'desc',
    );
    return {
      current: current ? bomView(current) : null,
      items: history.items.map(bomView),
      next: history.next,
    };
  }

  /** Gross margin of every active SKU now: price - the BOM cost in force. */
  async margins(caller: Identity, page: PageRequest): Promise<Page<MarginView>> {
    const partnerId = this.#scope(caller);
    const now = this.#o.now();
    const rows = await store.listSkus(this.#o.store, { partnerId, activeOnly: true }, page);
    return pageOfAsync(
      rows,
      page.limit,
      (sku) => [sku.created_at, sku.id],
      async (sku): Promise<MarginView> => {
        const bom = await store.bomAt(this.#o.store, sku.model_id, now);
        return {
          skuId: sku.id,
          partnerId: sku.partner_id,
          modelId: sku.model_id,
          priceMinor: sku.price_minor,
          currency: sku.currency,
          bom: bom ? bomView(bom) : null,
          ...margin(sku.price_minor, sku.currency, bom),
        };
      },
    );
  }

  /** A SKU's margin per BOM period, oldest first (a later-written cost for the same date wins). */
  async marginHistory(
    caller: Identity,
    skuId: string,
    page: PageRequest,
  ): Promise<Page<MarginPeriod> & { sku: SkuView }> {
    const sku = await this.#visibleSku(caller, skuId);
    const winners = new Map<number, store.BomRow>();
    for (const row of await store.listBom(this.#o.store, sku.model_id)) {
      if (!winners.has(row.effective_from)) winners.set(row.effective_from, row);
    }
    const ordered = [...winners.values()].sort((a, b) => a.effective_from - b.effective_from);
    const periods = ordered.map((row, i): MarginPeriod => {
      const next = ordered[i + 1];
      return {
        from: formatUtcDate(row.effective_from),
        until: next ? formatUtcDate(next.effective_from) : null,
        costMinor: row.cost_minor,
        currency: row.currency,
        ...margin(sku.price_minor, sku.currency, row),
      };
    });
    const { items, next } = pageOfList(periods, page, (p) => [p.from]);
    return { sku: await this.#view(sku), items, next };
  }

  /** undefined = every partner (operator); a partner id = only its own; users may not. */
  #scope(caller: Identity): string | undefined {
    if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'a user may not manage SKUs');
    return caller.kind === 'partner' ? caller.partnerId : undefined;
  }

  async #visibleSku(caller: Identity, skuId: string): Promise<store.SkuRow> {
    const partnerId = this.#scope(caller);
    const row = await store.findSku(this.#o.store, skuId);
    if (!row || (partnerId !== undefined && row.partner_id !== partnerId)) {
      throw new HubError('NOT_FOUND', 'SKU not found');
    }
    return row;
  }

  async #view(row: store.SkuRow): Promise<SkuView> {
    return skuView(row, await stockOf(this.#o.store, row.partner_id, row.model_id));
  }
}
