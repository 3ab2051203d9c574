/**
 * A presence batch (one node's connects and disconnects queued while its previous presence write
 * was in flight) written by `writePresence`: on PostgreSQL one statement per round (a connect storm
 * is one round, not one UPDATE per device), with exactly the rows `markOnline` / `markOffline`
 * applied one change at a time would leave, flapping devices and the "offline only if not connected
 * since" guard included. On SQLite the same function applies the changes one by one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  markOffline,
  markOnline,
  type PresenceChange,
  writePresence,
} from '../../src/registry/devices/store.js';
import type { Engine, Queryable, QueryOptions } from '../../src/store/engine.js';
import { runMigrations } from '../../src/store/migration-runner.js';
import { type Sql, sql } from '../../src/store/sql.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { seedEveryTable } from '../support/store-fixtures.js';

interface PresenceRow {
  id: string;
  online: boolean;
  connected_at: number | null;
  last_seen_at: number | null;
  connection_count: number;
}

const T = 1_800_000_000_000;

describe('writePresence', () => {
  let t: TestEngine;
  let db: Engine;
  beforeAll(async () => {
    t = await openTestEngine();
    db = t.engine;
    await runMigrations(db);
    await seedEveryTable(db);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function addDevices(prefix: string, n: number): Promise<string[]> {
    const ids = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
    const d2 = await db.one<{ secret_hash: Buffer; created_at: number }>(
      sql`SELECT secret_hash, created_at FROM devices WHERE id = 'd2'`,
    );
    if (!d2) throw new Error('the seed has no device d2');
    for (let from = 0; from < ids.length; from += 200) {
      const rows = ids
        .slice(from, from + 200)
        .map((id) => sql`(${id}, 'p1', 'acme.light.bulb1', 1, 'b1', ${d2.secret_hash}, ${d2.created_at})`);
      await db.run(
        sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, created_at)
            VALUES ${sql.join(rows)}`,
      );
    }
    return ids;
  }

  async function rowsOf(prefix: string): Promise<Array<Omit<PresenceRow, 'id'>>> {
    const rows = await db.many<PresenceRow>(
      sql`SELECT id, online, connected_at, last_seen_at, connection_count FROM devices
          WHERE id LIKE ${`${prefix}%`} ORDER BY id`,
    );
    return rows.map(({ id: _id, ...rest }) => rest);
  }

  /** A tx whose statements are counted. */
  function counting(tx: Queryable): { tx: Queryable; statements: () => number } {
    let n = 0;
    return {
      tx: {
        dialect: tx.dialect,
        many<T extends object>(q: Sql, o?: QueryOptions) {
          n += 1;
          return tx.many<T>(q, o);
        },
        one<T extends object>(q: Sql, o?: QueryOptions) {
          n += 1;
          return tx.one<T>(q, o);
        },
        run<T extends object>(q: Sql, o?: QueryOptions) {
          n += 1;
          return tx.run<T>(q, o);
        },
        notify: (c, p) => tx.notify(c, p),
      },
      statements: () => n,
    };
  }

  /**
   * The batch: 300 devices connect; every 3rd then disconnects; every 5th reconnects; every 7th
   * (connected at T + 500) gets an older "offline" at T + 100 first, as a dead node's sweep would
   * send after the device reconnected elsewhere (must not apply).
   */
  function batch(ids: readonly string[]): PresenceChange[] {
    const out: PresenceChange[] = [];
    ids.forEach((deviceId, i) => {
      out.push({ deviceId, online: true, at: T + 500 });
      if (i % 7 === 0) out.push({ deviceId, online: false, at: T + 100 });
      if (i % 3 === 0) out.push({ deviceId, online: false, at: T + 1000 + i });
      if (i % 5 === 0) out.push({ deviceId, online: true, at: T + 2000 + i });
    });
    return out;
  }

  it('leaves the rows one change at a time would, in one statement per round on PostgreSQL', async () => {
    const batched = await addDevices('pb-a-', 300);
    await addDevices('pb-b-', 300);
    // A stored device that connected after the batch's offline (another node's online committed first).
    await db.run(sql`UPDATE devices SET online = ${true}, connected_at = ${T + 5000} WHERE id = 'pb-a-0001'`);
    await db.run(sql`UPDATE devices SET online = ${true}, connected_at = ${T + 5000} WHERE id = 'pb-b-0001'`);
    const changesA = [
      { deviceId: 'pb-a-0001', online: false, at: T + 4000 },
      ...batch(batched).filter((c) => c.deviceId !== 'pb-a-0001'),
    ].sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
    const changesB = changesA.map((c) => ({ ...c, deviceId: c.deviceId.replace('pb-a-', 'pb-b-') }));

    const statements = await db.transaction(async (tx) => {
      const counted = counting(tx);
      await writePresence(counted.tx, changesA);
      return counted.statements();
    });
    await db.transaction(async (tx) => {
      for (const c of changesB) {
        if (c.online) await markOnline(tx, c.deviceId, c.at);
        else await markOffline(tx, c.deviceId, c.at);
      }
    });

    const a = await rowsOf('pb-a-');
    expect(a).toEqual(await rowsOf('pb-b-'));
    // Spot checks of what the sequence means.
    expect(a[0]).toEqual({
      online: true,
      connected_at: T + 2000,
      last_seen_at: T + 2000,
      connection_count: 2,
    });
    expect(a[1]).toEqual({ online: true, connected_at: T + 5000, last_seen_at: null, connection_count: 0 });
    expect(a[3]).toMatchObject({ online: false, connected_at: T + 500, last_seen_at: T + 1003 });
    expect(a[7]).toMatchObject({ online: true, connected_at: T + 500, last_seen_at: T + 500 });
    // The deepest device has 4 changes: 4 rounds, one statement each (not one per change).
    if (db.dialect === 'postgres') expect(statements).toBe(4);
    else expect(statements).toBe(changesA.length);
  });

  it('writes a connect storm of 6,000 devices in two statements on PostgreSQL', async () => {
    const ids = await addDevices('pb-s-', 6000);
    const statements = await db.transaction(async (tx) => {
      const counted = counting(tx);
      await writePresence(
        counted.tx,
        ids.map((deviceId, i) => ({ deviceId, online: true, at: T + i })),
      );
      return counted.statements();
    });
    if (db.dialect === 'postgres') expect(statements).toBe(2);
    const rows = await rowsOf('pb-s-');
    expect(rows.every((r, i) => r.online && r.connected_at === T + i && r.connection_count === 1)).toBe(true);
  });
});
