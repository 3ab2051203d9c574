import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { type FieldError, HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { hashSecret, newId } from '../identity/secrets.js';
import type { Engine } from '../store/engine.js';
import type { Page, PageRequest } from '../store/page.js';
import { newSeed, seedHash } from './flash-draw.js';
import { FlashDraws } from './flash-draws.js';
import * as store from './flash-store.js';
import { phaseOf, type SaleView, saleView } from './flash-views.js';

/** What a flash sale needs to know about the SKU it sells (CatalogService.sku, as the caller sees it). */
export interface SkuFacts {
  readonly partnerId: string;
  readonly modelId: string;
  readonly name: string | null;
  readonly priceMinor: number;
  readonly currency: string;
  readonly active: boolean;
}

export interface SaleInput {
  readonly skuId: string;
  readonly name?: string | undefined;
  readonly cap: number;
  readonly perUserLimit?: number | undefined;
  readonly registrationCap?: number | undefined;
  readonly registrationOpensAt: string;
  readonly opensAt: string;
  readonly closesAt: string;
  readonly mode: store.SaleMode;
  readonly paymentWindowMs?: number | undefined;
  readonly offerHoldMs?: number | undefined;
  readonly waitlistCap?: number | undefined;
  /** `deposit`: a pre-order sale (docs/flash-sales.md, "Pre-orders"). */
  readonly payment?: store.SalePayment | undefined;
  readonly depositMinor?: number | undefined;
  readonly balanceWindowMs?: number | undefined;
  readonly missedBalance?: 'forfeit' | 'refund' | undefined;
}

export interface FlashSalesOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly paymentWindowMs: number;
  readonly offerHoldMs: number;
  /** Throws NOT_FOUND when the caller may not see the SKU. */
  readonly skuOf: (caller: Identity, skuId: string) => Promise<SkuFacts>;
}

export interface RegistrationView {
  readonly saleId: string;
  /** Public: the draw ranks registrations by ticket, and the list of tickets is published. */
  readonly ticket: string;
  /** Arrival order among registrants (1-based). */
  readonly number: number;
  readonly registeredAt: string;
}

function fieldError(path: string, message: string): HubError {
  return new HubError('VALIDATION_FAILED', `${path} ${message}`, { errors: [{ path, message }] });
}

function time(path: string, value: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw fieldError(path, 'must be an ISO 8601 date-time');
  return ms;
}

/** Codes are 20 characters of Crockford base32: 100 bits, shown once, stored as SHA-256. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function newCode(): string {
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += CODE_ALPHABET[b & 31];
  return `F-${out}`;
}
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * Flash sales: creation by the partner, registration by users, priority codes; the committed draw
 * is in flash-draws.ts. Purchases, the waitlist and payments are in flash-purchases.ts.
 */
export class FlashSales {
  readonly #o: FlashSalesOptions;
  readonly #draws: FlashDraws;

  constructor(options: FlashSalesOptions) {
    this.#o = options;
    this.#draws = new FlashDraws({ store: options.store, log: options.log, now: options.now });
  }

  async create(caller: Identity, input: SaleInput): Promise<SaleView> {
    if (caller.kind !== 'partner') throw new HubError('FORBIDDEN', 'only a partner creates flash sales');
    const sku = await this.#o.skuOf(caller, input.skuId);
    if (!sku.active) throw new HubError('INVALID_STATE', 'the SKU is deactivated: list an active SKU');
    const registrationOpensAt = time('/registrationOpensAt', input.registrationOpensAt);
    const opensAt = time('/opensAt', input.opensAt);
    const closesAt = time('/closesAt', input.closesAt);
    const errors: FieldError[] = [];
    if (registrationOpensAt > opensAt)
      errors.push({ path: '/registrationOpensAt', message: 'must be at or before opensAt' });
    if (closesAt <= opensAt) errors.push({ path: '/closesAt', message: 'must be after opensAt' });
    if (closesAt <= this.#o.now()) errors.push({ path: '/closesAt', message: 'must be in the future' });
    const perUserLimit = input.perUserLimit ?? 1;
    if (perUserLimit > input.cap) errors.push({ path: '/perUserLimit', message: 'must be at most cap' });
    const payment = input.payment ?? 'full';
    if (payment === 'deposit') {
      if (input.depositMinor === undefined)
        errors.push({ path: '/depositMinor', message: 'is required when payment is deposit' });
      else if (input.depositMinor >= sku.priceMinor)
        errors.push({ path: '/depositMinor', message: `must be below the SKU's price of ${sku.priceMinor}` });
      if (input.missedBalance === undefined)
        errors.push({
          path: '/missedBalance',
          message: 'is required when payment is deposit: forfeit or refund',
        });
    } else {
      for (const f of ['depositMinor', 'balanceWindowMs', 'missedBalance'] as const) {
        if (input[f] !== undefined) errors.push({ path: `/${f}`, message: 'is only for payment deposit' });
      }
    }
    if (errors.length > 0) {
      throw new HubError('VALIDATION_FAILED', errors.map((e) => `${e.path} ${e.message}`).join('; '), {
        errors,
      });
    }
    const seed = newSeed();
    const row: store.NewSale = {
      id: newId(),
      partner_id: sku.partnerId,
      sku_id: input.skuId,
      model_id: sku.modelId,
      name: input.name ?? sku.name ?? sku.modelId,
      currency: sku.currency,
      price_minor: sku.priceMinor,
      cap: input.cap,
      per_user_limit: perUserLimit,
      registration_cap: input.registrationCap ?? null,
      registration_opens_at: registrationOpensAt,
      opens_at: opensAt,
      closes_at: closesAt,
      mode: input.mode,
      seed,
      seed_hash: seedHash(seed),
      payment_window_ms: input.paymentWindowMs ?? this.#o.paymentWindowMs,
      offer_hold_ms: input.offerHoldMs ?? this.#o.offerHoldMs,
      waitlist_cap: input.waitlistCap ?? Math.min(10 * input.cap, 1_000_000),
      created_at: this.#o.now(),
      payment,
      deposit_minor: payment === 'deposit' ? (input.depositMinor ?? null) : null,
      balance_window_ms: payment === 'deposit' ? (input.balanceWindowMs ?? 7 * 86_400_000) : null,
      missed_balance: payment === 'deposit' ? (input.missedBalance ?? null) : null,
    };
    await this.#o.store.transaction((tx) => store.insertSale(tx, row), { durable: true });
    this.#o.log.info(
      { saleId: row.id, partnerId: row.partner_id, cap: row.cap, mode: row.mode },
      'flash sale created',
    );
    return this.view(row.id);
  }

  /** Public: the store front shows every sale. */
  async view(saleId: string): Promise<SaleView> {
    const sale = await store.findSale(this.#o.store, saleId);
    if (!sale) throw new HubError('NOT_FOUND', 'flash sale not found');
    return saleView(sale, this.#o.now());
  }

  async list(q: { partnerId?: string | undefined }, page: PageRequest): Promise<Page<SaleView>> {
    const after = page.after as readonly [number, string] | undefined;
    const rows = await store.listSales(this.#o.store, { partnerId: q.partnerId, after, limit: page.limit });
    const now = this.#o.now();
    const shown = rows.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      items: shown.map((r) => saleView(r, now)),
      next: rows.length > page.limit && last ? [last.created_at, last.id] : null,
    };
  }

  /** The sale if the caller manages it (its partner or an operator), else NOT_FOUND. */
  async managed(caller: Identity, saleId: string): Promise<store.SaleRow> {
    const sale = await store.findSale(this.#o.store, saleId);
    const mine =
      caller.kind === 'operator' || (caller.kind === 'partner' && sale?.partner_id === caller.partnerId);
    if (!sale || !mine) throw new HubError('NOT_FOUND', 'flash sale not found');
    return sale;
  }

  async register(
    caller: Identity,
    saleId: string,
  ): Promise<{ created: boolean; registration: RegistrationView }> {
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'only a user registers for a sale');
    const now = this.#o.now();
    const result = await this.#o.store.transaction(
      async (tx) => {
        const sale = await store.findSale(tx, saleId);
        if (!sale) throw new HubError('NOT_FOUND', 'flash sale not found');
        const existing = await store.findRegistration(tx, saleId, caller.userId);
        if (existing) return { created: false, row: existing };
        const phase = phaseOf(sale, now);
        if (phase !== 'registration') {
          throw new HubError(
            'INVALID_STATE',
            phase === 'scheduled'
              ? `registration opens at ${new Date(sale.registration_opens_at).toISOString()}`
              : 'registration closed when the sale opened',
          );
        }
        const seq = await store.nextRegistrationSeq(tx, saleId);
        if (seq === undefined)
          throw new HubError('INVALID_STATE', `registration is full (${sale.registration_cap})`);
        const row = {
          sale_id: saleId,
          user_id: caller.userId,
          seq,
          ticket: randomBytes(12).toString('hex'),
          registered_at: now,
        };
        await store.insertRegistration(tx, row);
        return { created: true, row };
      },
      { durable: true },
    );
    return { created: result.created, registration: registrationView(result.row) };
  }

  async registration(caller: Identity, saleId: string): Promise<RegistrationView> {
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'only a user has registrations');
    const row = await store.findRegistration(this.#o.store, saleId, caller.userId);
    if (!row) throw new HubError('NOT_FOUND', 'you are not registered for this sale');
    return registrationView(row);
  }

  /** Issues `count` priority codes: each holds one unit of the cap until redeemed. Shown once. */
  async issueCodes(
    caller: Identity,
    saleId: string,
    count: number,
  ): Promise<{ codes: string[]; sale: SaleView }> {
    const sale = await this.managed(caller, saleId);
    if (this.#o.now() >= sale.closes_at) throw new HubError('INVALID_STATE', 'the sale has closed');
    const by = caller.kind === 'partner' ? `partner:${caller.partnerId}` : 'operator';
    const codes = Array.from({ length: count }, newCode);
    await this.#o.store.transaction(
      async (tx) => {
        for (const code of codes) {
          if (!(await store.holdForCode(tx, saleId))) {
            throw new HubError(
              'OUT_OF_STOCK',
              `only ${sale.cap - sale.taken} units of the cap are free for codes`,
            );
          }
          await store.insertCode(tx, {
            id: newId(),
            sale_id: saleId,
            code_hash: hashSecret(normalizeCode(code)),
            issued_by: by,
            issued_at: this.#o.now(),
          });
        }
      },
      { durable: true },
    );
    this.#o.log.info({ saleId, count, by }, 'priority codes issued');
    return { codes, sale: await this.view(saleId) };
  }

  /** Runs the draw of a draw-mode sale once it has opened; true when this call ran it (flash-draws.ts). */
  runDrawIfDue(saleId: string): Promise<boolean> {
    return this.#draws.runDrawIfDue(saleId);
  }

  /** The draw, recomputable (flash-draws.ts). */
  draw(saleId: string, page: PageRequest): ReturnType<FlashDraws['draw']> {
    return this.#draws.draw(saleId, page);
  }
}

function registrationView(r: store.RegistrationRow): RegistrationView {
  return {
    saleId: r.sale_id,
    ticket: r.ticket,
    number: r.seq,
    registeredAt: new Date(r.registered_at).toISOString(),
  };
}
