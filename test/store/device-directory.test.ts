/**
 * The device credential cache of the CONNECT path (src/registry/devices/directory.ts), on the run's
 * engine: read through on a miss, bounded, dropped at the COMMIT of a change made by any process.
 */

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceDirectory } from '../../src/registry/devices/directory.js';
import { setBlocked, setSecretHash } from '../../src/registry/devices/store.js';
import type { Engine } from '../../src/store/engine.js';
import { openEngine } from '../../src/store/open.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const silent = pino({ level: 'silent' });

/** Resolves once `check` holds, polling on timers (notifications arrive on another connection). */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('device credential cache', () => {
  let t: TestEngine;
  let db: Engine;
  /** The process that changes devices: a second engine on the same database on PostgreSQL. */
  let other: Engine;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
    other = db.dialect === 'postgres' ? await openEngine(t.database.target) : db;
  });
  afterAll(async () => {
    if (other !== db) await other.close();
    await t?.close();
  });

  it('reads a device once, then answers from memory', async () => {
    const directory = new DeviceDirectory(db);
    expect(directory.peek('d1')).toBeUndefined();
    const facts = await directory.get('d1');
    expect(facts).toMatchObject({ id: 'd1', partnerId: 'p1', modelId: 'acme.light.bulb1', blocked: false });
    expect(facts?.secretHash).toEqual(Buffer.alloc(32, 7));
    // The second lookup is the cached object itself, not a promise.
    expect(directory.get('d1')).toBe(facts);
    expect(await directory.get('nope')).toBeUndefined();
    expect(directory.size).toBe(1);
  });

  it('keeps at most its capacity, dropping the least recently used', async () => {
    const directory = new DeviceDirectory(db, 1);
    await directory.get('d1');
    await directory.get('d2');
    expect(directory.size).toBe(1);
    expect(directory.peek('d1')).toBeUndefined();
    expect(directory.peek('d2')?.id).toBe('d2');
  });

  it('drops a device when a change to it commits, in this process or another', async () => {
    const directory = new DeviceDirectory(db);
    await directory.start(silent);
    try {
      expect((await directory.get('d2'))?.blocked).toBe(false);
      await other.transaction((tx) => setBlocked(tx, 'd2', true));
      await until(() => directory.peek('d2') === undefined);
      expect((await directory.get('d2'))?.blocked).toBe(true);

      const rotated = Buffer.alloc(32, 9);
      await other.transaction((tx) => setSecretHash(tx, 'd2', rotated));
      await until(() => directory.peek('d2') === undefined);
      expect((await directory.get('d2'))?.secretHash).toEqual(rotated);

      // A rolled-back change notifies nobody.
      await expect(
        other.transaction(async (tx) => {
          await setBlocked(tx, 'd2', false);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(directory.peek('d2')?.blocked).toBe(true);
    } finally {
      await directory.close();
      await db.run(
        sql`UPDATE devices SET blocked = ${false}, secret_hash = ${Buffer.alloc(32, 7)} WHERE id = 'd2'`,
      );
    }
  });

  it('does not keep a load that raced with a change', async () => {
    const directory = new DeviceDirectory(db);
    const loading = directory.get('d1');
    directory.forget('d1'); // a change committed while the row was being read
    expect((await loading)?.id).toBe('d1');
    expect(directory.peek('d1')).toBeUndefined();
  });
});
