import { num, optStr, record, str } from './decode.js';
import type { Http } from './http.js';

const enc = encodeURIComponent;

/** A flash sale as the store front shows it (docs/flash-sales.md). */
export interface FlashSale {
  readonly id: string;
  readonly partnerId: string;
  readonly skuId: string;
  readonly modelId: string;
  readonly name: string;
  readonly currency: string;
  readonly minorUnits: number;
  readonly priceMinor: number;
  readonly cap: number;
  readonly perUserLimit: number;
  readonly registrations: number;
  readonly registrationOpensAt: string;
  readonly opensAt: string;
  readonly closesAt: string;
  readonly mode: string;
  readonly phase: string;
  readonly remaining: number;
  readonly sold: number;
  readonly payment: string;
  readonly depositMinor: number | null;
  readonly missedBalance: string | null;
}

export interface FlashPurchase {
  readonly id: string;
  readonly saleId: string;
  readonly status: string;
  readonly source: string;
  readonly quantity: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly expiresAt: string;
  readonly orderId: string | null;
}

export interface Preorder {
  readonly id: string;
  readonly saleId: string;
  readonly status: string;
  readonly currency: string;
  readonly priceMinor: number;
  readonly depositMinor: number;
  readonly balanceMinor: number;
  readonly missedBalance: string;
  readonly balanceDueAt: string | null;
  readonly orderId: string | null;
}

export interface BuyAnswer {
  readonly outcome: string;
  readonly position: number | null;
  readonly purchase: FlashPurchase | null;
}

const optNum = (v: unknown, path: string): number | null =>
  v === null || v === undefined ? null : num(v, path);

export function readSale(value: unknown, path = ''): FlashSale {
  const o = record(value, path);
  return {
    id: str(o['id'], `${path}/id`),
    partnerId: str(o['partnerId'], `${path}/partnerId`),
    skuId: str(o['skuId'], `${path}/skuId`),
    modelId: str(o['modelId'], `${path}/modelId`),
    name: str(o['name'], `${path}/name`),
    currency: str(o['currency'], `${path}/currency`),
    minorUnits: num(o['minorUnits'], `${path}/minorUnits`),
    priceMinor: num(o['priceMinor'], `${path}/priceMinor`),
    cap: num(o['cap'], `${path}/cap`),
    perUserLimit: num(o['perUserLimit'], `${path}/perUserLimit`),
    registrations: num(o['registrations'], `${path}/registrations`),
    registrationOpensAt: str(o['registrationOpensAt'], `${path}/registrationOpensAt`),
    opensAt: str(o['opensAt'], `${path}/opensAt`),
    closesAt: str(o['closesAt'], `${path}/closesAt`),
    mode: str(o['mode'], `${path}/mode`),
    phase: str(o['phase'], `${path}/phase`),
    remaining: num(o['remaining'], `${path}/remaining`),
    sold: num(o['sold'], `${path}/sold`),
    payment: typeof o['payment'] === 'string' ? o['payment'] : 'full',
    depositMinor: optNum(o['depositMinor'], `${path}/depositMinor`),
    missedBalance: optStr(o['missedBalance'] ?? null, `${path}/missedBalance`),
  };
}

export function readPurchase(value: unknown, path = ''): FlashPurchase {
  const o = record(value, path);
  return {
    id: str(o['id'], `${path}/id`),
    saleId: str(o['saleId'], `${path}/saleId`),
    status: str(o['status'], `${path}/status`),
    source: str(o['source'], `${path}/source`),
    quantity: num(o['quantity'], `${path}/quantity`),
    amountMinor: num(o['amountMinor'], `${path}/amountMinor`),
    currency: str(o['currency'], `${path}/currency`),
    expiresAt: str(o['expiresAt'], `${path}/expiresAt`),
    orderId: optStr(o['orderId'] ?? null, `${path}/orderId`),
  };
}

export function readPreorder(value: unknown, path = ''): Preorder {
  const o = record(value, path);
  return {
    id: str(o['id'], `${path}/id`),
    saleId: str(o['saleId'], `${path}/saleId`),
    status: str(o['status'], `${path}/status`),
    currency: str(o['currency'], `${path}/currency`),
    priceMinor: num(o['priceMinor'], `${path}/priceMinor`),
    depositMinor: num(o['depositMinor'], `${path}/depositMinor`),
    balanceMinor: num(o['balanceMinor'], `${path}/balanceMinor`),
    missedBalance: str(o['missedBalance'], `${path}/missedBalance`),
    balanceDueAt: optStr(o['balanceDueAt'] ?? null, `${path}/balanceDueAt`),
    orderId: optStr(o['orderId'] ?? null, `${path}/orderId`),
  };
}

/** Flash sales for a user: the store front, registration, buying, my purchases and pre-orders. */
export class FlashWebApi {
  readonly #http: Http;

  constructor(http: Http) {
    this.#http = http;
  }

  async sales(): Promise<FlashSale[]> {
    return (await this.#http.list('/v1/flash-sales')).map((s, i) => readSale(s, `/${i}`));
  }

  async register(saleId: string): Promise<void> {
    await this.#http.post(`/v1/flash-sales/${enc(saleId)}/registrations`);
  }

  /** True when the user is registered for the sale. */
  async registered(saleId: string): Promise<boolean> {
    try {
      await this.#http.get(`/v1/flash-sales/${enc(saleId)}/registration`);
      return true;
    } catch {
      return false;
    }
  }

  /** One attempt; `key` is kept by the caller so a retry replays the same answer. */
  async buy(saleId: string, quantity: number, key: string): Promise<BuyAnswer> {
    const o = record(
      await this.#http.request(
        'POST',
        `/v1/flash-sales/${enc(saleId)}/purchases`,
        { quantity },
        {
          'idempotency-key': key,
        },
      ),
    );
    return {
      outcome: str(o['outcome'], '/outcome'),
      position: typeof o['position'] === 'number' ? o['position'] : null,
      purchase: o['purchase'] === undefined ? null : readPurchase(o['purchase'], '/purchase'),
    };
  }

  async purchases(): Promise<FlashPurchase[]> {
    return (await this.#http.list('/v1/flash-purchases')).map((p, i) => readPurchase(p, `/${i}`));
  }

  async preorders(): Promise<Preorder[]> {
    return (await this.#http.list('/v1/flash-preorders')).map((p, i) => readPreorder(p, `/${i}`));
  }

  async cancelPurchase(id: string): Promise<void> {
    await this.#http.post(`/v1/flash-purchases/${enc(id)}/cancel`);
  }

  async cancelPreorder(id: string): Promise<void> {
    await this.#http.post(`/v1/flash-preorders/${enc(id)}/cancel`);
  }
}
