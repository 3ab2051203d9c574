/**
 * Flash sales' SQL (docs/flash-sales.md), on the engine API: every function takes the engine or an
 * open transaction. Counters (the sale's `taken`, a user's units, registrations, the waitlist) move
 * only through conditional updates, so they hold under any concurrency on both engines.
 */
import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export * from './flash-store-batches.js';
export * from './flash-store-preorders.js';
export * from './flash-store-purchases.js';

export type SaleMode = 'first_come' | 'draw';

export interface SaleRow {
  readonly id: string;
  readonly partner_id: string;
  readonly sku_id: string;
  readonly model_id: string;
  readonly name: string;
  readonly currency: string;
  readonly price_minor: number;
  readonly cap: number;
  readonly per_user_limit: number;
  readonly registration_cap: number | null;
  readonly registrations: number;
  readonly registration_opens_at: number;
  readonly opens_at: number;
  readonly closes_at: number;
  readonly mode: SaleMode;
  readonly seed: string;
  readonly seed_hash: string;
  readonly drawn_at: number | null;
  readonly payment_window_ms: number;
  readonly offer_hold_ms: number;
  readonly waitlist_cap: number;
  readonly waitlist_seq: number;
  readonly taken: number;
  readonly sold: number;
  readonly codes_outstanding: number;
  readonly created_at: number;
  /** 0210: a deposit sale takes a deposit now and the balance when a production batch is built. */
  readonly payment: SalePayment;
  readonly deposit_minor: number | null;
  readonly balance_window_ms: number | null;
  readonly missed_balance: 'forfeit' | 'refund' | null;
}

export type SalePayment = 'full' | 'deposit';

const SALE_COLUMNS = sql`id, partner_id, sku_id, model_id, name, currency, price_minor, cap, per_user_limit,
  registration_cap, registrations, registration_opens_at, opens_at, closes_at, mode, seed, seed_hash,
  drawn_at, payment_window_ms, offer_hold_ms, waitlist_cap, waitlist_seq, taken, sold, codes_outstanding,
  created_at, payment, deposit_minor, balance_window_ms, missed_balance`;

export type NewSale = Omit<
  SaleRow,
  'registrations' | 'drawn_at' | 'waitlist_seq' | 'taken' | 'sold' | 'codes_outstanding'
>;

export async function insertSale(db: Queryable, s: NewSale): Promise<void> {
  await db.run(sql`INSERT INTO flash_sales (id, partner_id, sku_id, model_id, name, currency, price_minor, cap,
      per_user_limit, registration_cap, registration_opens_at, opens_at, closes_at, mode, seed, seed_hash,
      payment_window_ms, offer_hold_ms, waitlist_cap, created_at, payment, deposit_minor, balance_window_ms,
      missed_balance)
    VALUES (${s.id}, ${s.partner_id}, ${s.sku_id}, ${s.model_id}, ${s.name}, ${s.currency}, ${s.price_minor},
      ${s.cap}, ${s.per_user_limit}, ${s.registration_cap}, ${s.registration_opens_at}, ${s.opens_at},
      ${s.closes_at}, ${s.mode}, ${s.seed}, ${s.seed_hash}, ${s.payment_window_ms}, ${s.offer_hold_ms},
      ${s.waitlist_cap}, ${s.created_at}, ${s.payment}, ${s.deposit_minor}, ${s.balance_window_ms},
      ${s.missed_balance})`);
}

export function findSale(db: Queryable, id: string): Promise<SaleRow | undefined> {
  return db.one<SaleRow>(sql`SELECT ${SALE_COLUMNS} FROM flash_sales WHERE id = ${id}`);
}

/** Sales by creation, optionally one partner's, after a page key. */
export function listSales(
  db: Queryable,
  q: { partnerId?: string | undefined; after?: readonly [number, string] | undefined; limit: number },
): Promise<SaleRow[]> {
  return db.many<SaleRow>(sql`SELECT ${SALE_COLUMNS} FROM flash_sales
    WHERE ${q.partnerId === undefined ? sql`1 = 1` : sql`partner_id = ${q.partnerId}`}
    ${q.after ? sql`AND (created_at, id) > (${q.after[0]}, ${q.after[1]})` : sql.empty}
    ORDER BY created_at, id LIMIT ${q.limit + 1}`);
}

/** Takes `units` of the cap; false (nothing changed) when fewer are left. */
export async function takeUnits(db: Queryable, saleId: string, units: number): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE flash_sales SET taken = taken + ${units} WHERE id = ${saleId} AND taken + ${units} <= cap`,
  );
  return changes === 1;
}

export async function releaseUnits(db: Queryable, saleId: string, units: number): Promise<void> {
  await db.run(sql`UPDATE flash_sales SET taken = taken - ${units} WHERE id = ${saleId}`);
}

export async function countSold(db: Queryable, saleId: string, units: number): Promise<void> {
  await db.run(sql`UPDATE flash_sales SET sold = sold + ${units} WHERE id = ${saleId}`);
}

/** A code holds one unit of the cap until redeemed. */
export async function holdForCode(db: Queryable, saleId: string): Promise<boolean> {
  const { changes } = await db.run(sql`UPDATE flash_sales SET taken = taken + 1,
      codes_outstanding = codes_outstanding + 1 WHERE id = ${saleId} AND taken + 1 <= cap`);
  return changes === 1;
}

export async function codeRedeemed(db: Queryable, saleId: string): Promise<void> {
  await db.run(sql`UPDATE flash_sales SET codes_outstanding = codes_outstanding - 1 WHERE id = ${saleId}`);
}

export async function markDrawn(db: Queryable, saleId: string, at: number): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE flash_sales SET drawn_at = ${at} WHERE id = ${saleId} AND drawn_at IS NULL AND opens_at <= ${at}`,
  );
  return changes === 1;
}

// --- registrations -----------------------------------------------------------------------------

export interface RegistrationRow {
  readonly sale_id: string;
  readonly user_id: string;
  readonly seq: number;
  readonly ticket: string;
  readonly registered_at: number;
}

export function findRegistration(db: Queryable, saleId: string, userId: string) {
  return db.one<RegistrationRow>(sql`SELECT sale_id, user_id, seq, ticket, registered_at
    FROM flash_registrations WHERE sale_id = ${saleId} AND user_id = ${userId}`);
}

/** Counts one more registration; undefined when the registration cap is reached. */
export async function nextRegistrationSeq(db: Queryable, saleId: string): Promise<number | undefined> {
  const { rows } = await db.run<{ registrations: number }>(sql`UPDATE flash_sales
    SET registrations = registrations + 1
    WHERE id = ${saleId} AND (registration_cap IS NULL OR registrations < registration_cap)
    RETURNING registrations`);
  return rows[0]?.registrations;
}

export async function insertRegistration(db: Queryable, r: RegistrationRow): Promise<void> {
  await db.run(sql`INSERT INTO flash_registrations (sale_id, user_id, seq, ticket, registered_at)
    VALUES (${r.sale_id}, ${r.user_id}, ${r.seq}, ${r.ticket}, ${r.registered_at})`);
}

export function registrationsOf(db: Queryable, saleId: string): Promise<RegistrationRow[]> {
  return db.many<RegistrationRow>(sql`SELECT sale_id, user_id, seq, ticket, registered_at
    FROM flash_registrations WHERE sale_id = ${saleId} ORDER BY seq`);
}

// --- per-user units ----------------------------------------------------------------------------

/** Adds `units` to what the user holds in the sale; false when that would pass `limit`. */
export async function addUserUnits(
  db: Queryable,
  saleId: string,
  userId: string,
  units: number,
  limit: number,
): Promise<boolean> {
  await db.run(sql`INSERT INTO flash_user_units (sale_id, user_id, units) VALUES (${saleId}, ${userId}, 0)
    ON CONFLICT (sale_id, user_id) DO NOTHING`);
  const { changes } = await db.run(sql`UPDATE flash_user_units SET units = units + ${units}
    WHERE sale_id = ${saleId} AND user_id = ${userId} AND units + ${units} <= ${limit}`);
  return changes === 1;
}

export async function subtractUserUnits(db: Queryable, saleId: string, userId: string, units: number) {
  await db.run(sql`UPDATE flash_user_units SET units = units - ${units}
    WHERE sale_id = ${saleId} AND user_id = ${userId}`);
}

export async function userUnits(db: Queryable, saleId: string, userId: string): Promise<number> {
  const row = await db.one<{ units: number }>(
    sql`SELECT units FROM flash_user_units WHERE sale_id = ${saleId} AND user_id = ${userId}`,
  );
  return row?.units ?? 0;
}

/** Registrations in arrival order after `afterSeq`, each with whether the draw gave it a unit. */
export function drawTickets(db: Queryable, saleId: string, afterSeq: number, limit: number) {
  return db.many<{ seq: number; ticket: string; won: boolean }>(
    sql`SELECT r.seq, r.ticket, EXISTS (SELECT 1 FROM flash_purchases p
          WHERE p.sale_id = r.sale_id AND p.user_id = r.user_id AND p.source = 'draw') AS won
        FROM flash_registrations r WHERE r.sale_id = ${saleId} AND r.seq > ${afterSeq}
        ORDER BY r.seq LIMIT ${limit + 1}`,
    { booleans: ['won'] },
  );
}

/** Draw-mode sales that have opened and not been drawn yet. */
export function dueDraws(db: Queryable, now: number): Promise<Array<{ id: string }>> {
  return db.many<{ id: string }>(sql`SELECT id FROM flash_sales
    WHERE mode = 'draw' AND drawn_at IS NULL AND opens_at <= ${now} ORDER BY opens_at, id LIMIT 100`);
}

/**
 * Takes the buyer's lock for the rest of the transaction, first thing: two attempts of one user in
 * one sale (a retry racing its original) run one after the other, so the second sees the first's
 * stored answer. SQLite has one writer already (nothing to do); PostgreSQL locks the user's units row.
 */
export async function lockBuyer(db: Queryable, saleId: string, userId: string): Promise<void> {
  // SQLite: transactions on the writer run one at a time; a row written for nothing would cost every
  // waitlisted buyer an insert (a random page of the key's index) in the opening burst.
  if (db.dialect !== 'postgres') return;
  await db.run(sql`INSERT INTO flash_user_units (sale_id, user_id, units) VALUES (${saleId}, ${userId}, 0)
    ON CONFLICT (sale_id, user_id) DO NOTHING`);
  await db.one(
    sql`SELECT units FROM flash_user_units WHERE sale_id = ${saleId} AND user_id = ${userId} FOR UPDATE`,
  );
}
