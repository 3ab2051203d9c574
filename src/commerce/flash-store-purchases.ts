/**
 * Flash sales' SQL for purchases, the waitlist, priority codes, stored answers and payment events
 * (re-exported by flash-store.ts, so callers use one namespace).
 */
import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export type PurchaseSource = 'open' | 'draw' | 'code' | 'waitlist';
export type PurchaseStatus = 'reserved' | 'paid' | 'expired' | 'cancelled';
export type WaitlistStatus = 'waiting' | 'offered' | 'lapsed' | 'bought';
// --- purchases ---------------------------------------------------------------------------------

export interface PurchaseRow {
  readonly id: string;
  readonly sale_id: string;
  readonly user_id: string;
  readonly quantity: number;
  readonly amount_minor: number;
  readonly source: PurchaseSource;
  readonly status: PurchaseStatus;
  readonly created_at: number;
  readonly expires_at: number;
  readonly paid_at: number | null;
  readonly ended_at: number | null;
  readonly payment_event_id: string | null;
  readonly order_id: string | null;
  readonly fulfilled_at: number | null;
}

const PURCHASE_COLUMNS = sql`id, sale_id, user_id, quantity, amount_minor, source, status, created_at,
  expires_at, paid_at, ended_at, payment_event_id, order_id, fulfilled_at`;

export async function insertPurchase(
  db: Queryable,
  p: Omit<PurchaseRow, 'paid_at' | 'ended_at' | 'payment_event_id' | 'order_id' | 'fulfilled_at' | 'status'>,
): Promise<void> {
  await db.run(sql`INSERT INTO flash_purchases (id, sale_id, user_id, quantity, amount_minor, source, status,
      created_at, expires_at)
    VALUES (${p.id}, ${p.sale_id}, ${p.user_id}, ${p.quantity}, ${p.amount_minor}, ${p.source}, 'reserved',
      ${p.created_at}, ${p.expires_at})`);
}

export function findPurchase(db: Queryable, id: string): Promise<PurchaseRow | undefined> {
  return db.one<PurchaseRow>(sql`SELECT ${PURCHASE_COLUMNS} FROM flash_purchases WHERE id = ${id}`);
}

export function activePurchase(db: Queryable, saleId: string, userId: string) {
  return db.one<PurchaseRow>(sql`SELECT ${PURCHASE_COLUMNS} FROM flash_purchases
    WHERE sale_id = ${saleId} AND user_id = ${userId} AND status = 'reserved'`);
}

export function purchasesOf(
  db: Queryable,
  q: { saleId?: string; userId?: string; after?: readonly [number, string] | undefined; limit: number },
): Promise<PurchaseRow[]> {
  return db.many<PurchaseRow>(sql`SELECT ${PURCHASE_COLUMNS} FROM flash_purchases
    WHERE ${q.saleId === undefined ? sql`1 = 1` : sql`sale_id = ${q.saleId}`}
    ${q.userId === undefined ? sql.empty : sql`AND user_id = ${q.userId}`}
    ${q.after ? sql`AND (created_at, id) > (${q.after[0]}, ${q.after[1]})` : sql.empty}
    ORDER BY created_at, id LIMIT ${q.limit + 1}`);
}

/** Unpaid reservations whose window has passed, oldest first. */
export function expiredPurchases(db: Queryable, now: number, limit: number): Promise<PurchaseRow[]> {
  return db.many<PurchaseRow>(sql`SELECT ${PURCHASE_COLUMNS} FROM flash_purchases
    WHERE status = 'reserved' AND expires_at <= ${now} ORDER BY expires_at, id LIMIT ${limit}`);
}

/** Ends an unpaid reservation; false when it was no longer reserved (someone else ended it). */
export async function endPurchase(
  db: Queryable,
  id: string,
  to: 'expired' | 'cancelled',
  at: number,
): Promise<boolean> {
  const { changes } = await db.run(sql`UPDATE flash_purchases SET status = ${to}, ended_at = ${at}
    WHERE id = ${id} AND status = 'reserved'`);
  return changes === 1;
}

export async function markPaid(db: Queryable, id: string, at: number, eventId: string): Promise<boolean> {
  const { changes } = await db.run(sql`UPDATE flash_purchases
    SET status = 'paid', paid_at = ${at}, payment_event_id = ${eventId}
    WHERE id = ${id} AND status = 'reserved' AND expires_at > ${at}`);
  return changes === 1;
}

export function unfulfilled(db: Queryable, limit: number): Promise<PurchaseRow[]> {
  return db.many<PurchaseRow>(sql`SELECT ${PURCHASE_COLUMNS} FROM flash_purchases
    WHERE status = 'paid' AND fulfilled_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM flash_preorders r WHERE r.purchase_id = flash_purchases.id)
    ORDER BY paid_at, id LIMIT ${limit}`);
}

export async function markFulfilled(db: Queryable, id: string, orderId: string, at: number): Promise<void> {
  await db.run(sql`UPDATE flash_purchases SET order_id = ${orderId}, fulfilled_at = ${at}
    WHERE id = ${id} AND fulfilled_at IS NULL`);
}

// --- waitlist ----------------------------------------------------------------------------------

export interface WaitlistRow {
  readonly sale_id: string;
  readonly user_id: string;
  readonly seq: number;
  readonly status: WaitlistStatus;
  readonly joined_at: number;
  readonly purchase_id: string | null;
}

export function findWaitlisted(db: Queryable, saleId: string, userId: string) {
  return db.one<WaitlistRow>(sql`SELECT sale_id, user_id, seq, status, joined_at, purchase_id
    FROM flash_waitlist WHERE sale_id = ${saleId} AND user_id = ${userId}`);
}

/** A place at the end of the waitlist; undefined when it is full. */
export async function joinWaitlist(
  db: Queryable,
  saleId: string,
  userId: string,
  at: number,
): Promise<number | undefined> {
  const { rows } = await db.run<{ waitlist_seq: number }>(sql`UPDATE flash_sales
    SET waitlist_seq = waitlist_seq + 1 WHERE id = ${saleId} AND waitlist_seq < waitlist_cap
    RETURNING waitlist_seq`);
  const seq = rows[0]?.waitlist_seq;
  if (seq === undefined) return undefined;
  await db.run(sql`INSERT INTO flash_waitlist (sale_id, user_id, seq, status, joined_at)
    VALUES (${saleId}, ${userId}, ${seq}, 'waiting', ${at})`);
  return seq;
}

/**
 * 1-based place among those still waiting. Places are numbered 1, 2, 3... with no gaps (the sale's
 * `waitlist_seq` and the row are written in one transaction, rows are never deleted), so the place is
 * `seq` less those ahead who left the waiting state: a count over the few offered, lapsed or bought
 * rows instead of over everyone waiting ahead (which made an opening burst quadratic).
 */
export async function waitlistPosition(db: Queryable, saleId: string, seq: number): Promise<number> {
  const row = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM flash_waitlist
    WHERE sale_id = ${saleId} AND status IN ('offered', 'lapsed', 'bought') AND seq <= ${seq}`);
  return seq - Number(row?.n ?? 0);
}

export function nextWaiting(db: Queryable, saleId: string, limit: number): Promise<WaitlistRow[]> {
  return db.many<WaitlistRow>(sql`SELECT sale_id, user_id, seq, status, joined_at, purchase_id
    FROM flash_waitlist WHERE sale_id = ${saleId} AND status = 'waiting' ORDER BY seq LIMIT ${limit}`);
}

export async function setWaitlistStatus(
  db: Queryable,
  saleId: string,
  userId: string,
  status: WaitlistStatus,
  purchaseId: string | null,
): Promise<void> {
  await db.run(sql`UPDATE flash_waitlist SET status = ${status},
      purchase_id = ${purchaseId === null ? sql`purchase_id` : sql`${purchaseId}`}
    WHERE sale_id = ${saleId} AND user_id = ${userId}`);
}

// --- priority codes ----------------------------------------------------------------------------

export interface CodeRow {
  readonly id: string;
  readonly sale_id: string;
  readonly issued_by: string;
  readonly issued_at: number;
  readonly redeemed_by: string | null;
  readonly redeemed_at: number | null;
  readonly purchase_id: string | null;
}

export async function insertCode(
  db: Queryable,
  c: { id: string; sale_id: string; code_hash: Buffer; issued_by: string; issued_at: number },
): Promise<void> {
  await db.run(sql`INSERT INTO flash_codes (id, sale_id, code_hash, issued_by, issued_at)
    VALUES (${c.id}, ${c.sale_id}, ${c.code_hash}, ${c.issued_by}, ${c.issued_at})`);
}

export function findCodeByHash(db: Queryable, codeHash: Buffer): Promise<CodeRow | undefined> {
  return db.one<CodeRow>(sql`SELECT id, sale_id, issued_by, issued_at, redeemed_by, redeemed_at, purchase_id
    FROM flash_codes WHERE code_hash = ${codeHash}`);
}

export async function redeemCode(
  db: Queryable,
  id: string,
  userId: string,
  purchaseId: string,
  at: number,
): Promise<boolean> {
  const { changes } = await db.run(sql`UPDATE flash_codes
    SET redeemed_by = ${userId}, redeemed_at = ${at}, purchase_id = ${purchaseId}
    WHERE id = ${id} AND redeemed_by IS NULL`);
  return changes === 1;
}

export function codesOf(
  db: Queryable,
  saleId: string,
  after: readonly [number, string] | undefined,
  limit: number,
) {
  return db.many<CodeRow>(sql`SELECT id, sale_id, issued_by, issued_at, redeemed_by, redeemed_at, purchase_id
    FROM flash_codes WHERE sale_id = ${saleId}
    ${after ? sql`AND (issued_at, id) > (${after[0]}, ${after[1]})` : sql.empty}
    ORDER BY issued_at, id LIMIT ${limit + 1}`);
}

// --- idempotency and payment events ------------------------------------------------------------

export interface IdempotencyRow {
  readonly sale_id: string;
  readonly request_hash: string;
  readonly status: number;
  readonly response: string;
}

export function findIdempotency(db: Queryable, userId: string, key: string) {
  return db.one<IdempotencyRow>(sql`SELECT sale_id, request_hash, status, response
    FROM flash_idempotency WHERE user_id = ${userId} AND key = ${key}`);
}

export async function insertIdempotency(
  db: Queryable,
  r: IdempotencyRow & { user_id: string; key: string; created_at: number },
): Promise<void> {
  await db.run(sql`INSERT INTO flash_idempotency (user_id, key, sale_id, request_hash, status, response, created_at)
    VALUES (${r.user_id}, ${r.key}, ${r.sale_id}, ${r.request_hash}, ${r.status}, ${r.response}, ${r.created_at})`);
}

export async function insertPaymentEvent(
  db: Queryable,
  e: { id: string; purchase_id: string; amount_minor: number; currency: string; received_at: number },
): Promise<boolean> {
  const { changes } =
    await db.run(sql`INSERT INTO flash_payment_events (id, purchase_id, amount_minor, currency, received_at)
    VALUES (${e.id}, ${e.purchase_id}, ${e.amount_minor}, ${e.currency}, ${e.received_at})
    ON CONFLICT (id) DO NOTHING`);
  return changes === 1;
}
