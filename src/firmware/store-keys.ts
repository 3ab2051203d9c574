import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export interface KeyRow {
  readonly public_key: Buffer;
  readonly private_key: Buffer;
  readonly created_at: number;
}

export function findKey(db: Queryable): Promise<KeyRow | undefined> {
  return db.one<KeyRow>(
    sql`SELECT public_key, private_key, created_at FROM firmware_keys WHERE id = 'release'`,
  );
}

export async function insertKey(db: Queryable, row: KeyRow): Promise<void> {
  await db.run(
    sql`INSERT INTO firmware_keys (id, public_key, private_key, created_at)
        VALUES ('release', ${row.public_key}, ${row.private_key}, ${row.created_at})
        ON CONFLICT (id) DO NOTHING`,
  );
}
