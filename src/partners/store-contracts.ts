import { type Db, prepared } from '../store/database.js';

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
// (a PostgreSQL port would use a sequence column instead).
const PRECEDENCE = 'ORDER BY effective_from DESC, created_at DESC, rowid DESC';

export function insertContract(db: Db, row: ContractRow): void {
  prepared(
    db,
    `INSERT INTO partner_contracts (id, partner_id, rate_bp, effective_from, note, created_at, created_by)
     VALUES (@id, @partner_id, @rate_bp, @effective_from, @note, @created_at, @created_by)`,
  ).run(row);
}

/** The whole history, in precedence order (scheduled contracts first). */
export function listContracts(db: Db, partnerId: string): ContractRow[] {
  return prepared(db, `SELECT * FROM partner_contracts WHERE partner_id = ? ${PRECEDENCE}`).all(
    partnerId,
  ) as ContractRow[];
}

/** The contract in force at `at` (ms), if any. Served by partner_contracts_by_partner. */
export function contractAt(db: Db, partnerId: string, at: number): ContractRow | undefined {
  return prepared(
    db,
    `SELECT * FROM partner_contracts WHERE partner_id = ? AND effective_from <= ? ${PRECEDENCE} LIMIT 1`,
  ).get(partnerId, at) as ContractRow | undefined;
}
