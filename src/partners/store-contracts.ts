import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

/**
 * SQL for commission contracts. The table is append-only: there is an INSERT and reads, and no
 * UPDATE or DELETE, so a sale can always be re-checked against the rate that was in force.
 */

export interface ContractRow {
  readonly id: string;
  readonly partner_id: string;
  readonly rate_bp: number;
  /** ms of the UTC midnight the rate starts at. */
  readonly effective_from: number;
  readonly note: string | null;
  readonly created_at: number;
  readonly created_by: string;
}

// Which contract wins: the latest start, then the latest created; rowid breaks a same-millisecond tie
// (SQLite's implicit rowid; an identity column of that name on PostgreSQL).
const PRECEDENCE = sql`ORDER BY effective_from DESC, created_at DESC, rowid DESC`;
const COLUMNS = sql`id, partner_id, rate_bp, effective_from, note, created_at, created_by`;

export async function insertContract(db: Queryable, row: ContractRow): Promise<void> {
  await db.run(
    sql`INSERT INTO partner_contracts (id, partner_id, rate_bp, effective_from, note, created_at, created_by)
        VALUES (${row.id}, ${row.partner_id}, ${row.rate_bp}, ${row.effective_from}, ${row.note}, ${row.created_at},
          ${row.created_by})`,
  );
}

/** The whole history, in precedence order (scheduled contracts first). */
export function listContracts(db: Queryable, partnerId: string): Promise<ContractRow[]> {
  return db.many<ContractRow>(
    sql`SELECT ${COLUMNS} FROM partner_contracts WHERE partner_id = ${partnerId} ${PRECEDENCE}`,
  );
}

/** The contract in force at `at` (ms), if any. Served by partner_contracts_by_partner. */
export function contractAt(db: Queryable, partnerId: string, at: number): Promise<ContractRow | undefined> {
  return db.one<ContractRow>(
    sql`SELECT ${COLUMNS} FROM partner_contracts WHERE partner_id = ${partnerId} AND effective_from <= ${at}
        ${PRECEDENCE} LIMIT 1`,
  );
}
