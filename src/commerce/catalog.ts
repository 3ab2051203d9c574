import type { Logger } from 'pino';
import { type FieldError, HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import { formatUtcDate, parseUtcDate } from '../partners/utc-date.js';
import { type Db, inTransaction } from '../store/database.js';
import { type Page, type PageRequest, pageOf, pageOfList } from '../store/page.js';
import { isCurrency } from './currencies.js';
import { isSafeMinor, marginBp } from './money.js';
import * as store from './store-catalog.js';
import { stockOf } from './store-stock.js';
import { type BomView, bomView, type SkuView, type StoreSkuView, skuView, storeSkuView } from './views.js';

export interface CatalogOptions {
  readonly db: Db;
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
  createSku(caller: Identity, input: SkuInput): SkuView {
    if (caller.kind !== 'partner') throw new HubError('FORBIDDEN', 'only a partner lists SKUs');
    checkMoney(input.priceMinor, input.currency, '/priceMinor', 1);
    const db = this.#o.db;
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
    const replaced = inTransaction(db, () => {
      const model = store.findModelOwner(db, input.modelId);
      if (!model || model.partner_id !== caller.partnerId) throw new HubError('NOT_FOUND', 'model not found');
      if (!model.published) {
        throw new HubError(
          'INVALID_STATE',
          `model ${input.modelId} has no published version: only published models are sold`,
        );
      }
      const previous = store.deactivateActive(db, input.modelId, input.currency, now);
      store.insertSku(db, row);
      return previous;
    });
    this.#o.log.info(
      { skuId: row.id, modelId: row.model_id, priceMinor: row.price_minor, currency: row.currency, replaced },
      'sku listed',
    );
    return this.#view(row);
  }

  skus(caller: Identity, q: { activeOnly: boolean }, page: PageRequest): Page<SkuView> {
    const partnerId = this.#scope(caller);
    const rows = store.listSkus(this.#o.db, { partnerId, activeOnly: q.activeOnly }, page);
    return pageOf(
      rows,
      page.limit,
      (r) => [r.created_at, r.id],
      (r) => this.#view(r),
    );
  }

  sku(caller: Identity, skuId: string): SkuView {
    return this.#view(this.#visibleSku(caller, skuId));
  }

  deactivate(caller: Identity, skuId: string): SkuView {
    const row = this.#visibleSku(caller, skuId);
    if (!store.deactivateSku(this.#o.db, skuId, this.#o.now())) {
      throw new HubError('INVALID_STATE', 'the SKU is already inactive');
    }
    this.#o.log.info({ skuId }, 'sku deactivated');
    return this.#view(store.findSku(this.#o.db, row.id) ?? row);
  }

  /** The public store: active SKUs of published models, with how many can be bought now. */
  store(page: PageRequest): Page<StoreSkuView> {
    return pageOf(
      store.listStoreSkus(this.#o.db, page),
      page.limit,
      (row) => [row.model_id, row.currency],
      (row) => storeSkuView(row, stockOf(this.#o.db, row.partner_id, row.model_id).available),
    );
  }

  /** Appends a BOM cost for one of the partner's models (any state: costs are known before launch). */
  addBom(caller: Identity, modelId: string, input: BomInput): BomView {
    if (caller.kind !== 'partner') throw new HubError('FORBIDDEN', 'only the partner records BOM costs');
    checkMoney(input.costMinor, input.currency, '/costMinor', 0);
    const effectiveFrom = parseUtcDate(input.effectiveFrom);
    if (effectiveFrom === undefined) {
      throw invalid([{ path: '/effectiveFrom', message: 'must be a calendar date YYYY-MM-DD' }]);
    }
    const model = store.findModelOwner(this.#o.db, modelId);
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
    store.insertBom(this.#o.db, row);
    this.#o.log.info(
      { modelId, costMinor: row.cost_minor, effectiveFrom: input.effectiveFrom },
      'bom cost recorded',
    );
    return bomView(row);
  }

  /** The cost in force now and a page of the history in precedence order (a few rows a year: paged in memory). */
  bom(caller: Identity, modelId: string, page: PageRequest): Page<BomView> & { current: BomView | null } {
    const model = store.findModelOwner(this.#o.db, modelId);
    const partnerId = this.#scope(caller);
    if (!model || (partnerId !== undefined && model.partner_id !== partnerId)) {
      throw new HubError('NOT_FOUND', 'model not found');
    }
    const current = store.bomAt(this.#o.db, modelId, this.#o.now());
    const history = pageOfList(
      store.listBom(this.#o.db, modelId),
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
  margins(caller: Identity, page: PageRequest): Page<MarginView> {
    const partnerId = this.#scope(caller);
    const now = this.#o.now();
    const rows = store.listSkus(this.#o.db, { partnerId, activeOnly: true }, page);
    return pageOf(
      rows,
      page.limit,
      (sku) => [sku.created_at, sku.id],
      (sku): MarginView => {
        const bom = store.bomAt(this.#o.db, sku.model_id, now);
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
  marginHistory(caller: Identity, skuId: string, page: PageRequest): Page<MarginPeriod> & { sku: SkuView } {
    const sku = this.#visibleSku(caller, skuId);
    const winners = new Map<number, store.BomRow>();
    for (const row of store.listBom(this.#o.db, sku.model_id)) {
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
    return { sku: this.#view(sku), items, next };
  }

  /** undefined = every partner (operator); a partner id = only its own; users may not. */
  #scope(caller: Identity): string | undefined {
    if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'a user may not manage SKUs');
    return caller.kind === 'partner' ? caller.partnerId : undefined;
  }

  #visibleSku(caller: Identity, skuId: string): store.SkuRow {
    const partnerId = this.#scope(caller);
    const row = store.findSku(this.#o.db, skuId);
    if (!row || (partnerId !== undefined && row.partner_id !== partnerId)) {
      throw new HubError('NOT_FOUND', 'SKU not found');
    }
    return row;
  }

  #view(row: store.SkuRow): SkuView {
    return skuView(row, stockOf(this.#o.db, row.partner_id, row.model_id));
  }
}
