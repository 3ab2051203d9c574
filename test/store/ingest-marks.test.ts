/**
 * Deduplication by high-water mark and shadow versions counted in memory, on the run's engine
 * (SQLite: the writer thread; PostgreSQL: engine transactions): redeliveries are refused in the same
 * batch, in later batches and after a restart; out-of-order and far-behind seqs are stored once;
 * migration 0380 carries the per-message rows it replaces into the marks.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryBus } from '../../src/registry/events.js';
import type { AcceptedReport } from '../../src/registry/telemetry/reports.js';
import { WINDOW } from '../../src/registry/telemetry/seq-marks.js';
import { type IngestOutcome, IngestWriter } from '../../src/registry/telemetry/writer.js';
import type { Engine } from '../../src/store/engine.js';
import { migrationsFor, runMigrations } from '../../src/store/migration-runner.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, openTestEngine, type TestEngine } from '../support/engine.js';
import { seedEveryTable } from '../support/store-fixtures.js';

const log = pino({ level: 'silent' });

function props(seq: number, brightness: number): AcceptedReport {
  return {
    kind: 'props',
    seq,
    deviceTs: null,
    values: [{ key: 'light.brightness', value: brightness, num: brightness }],
    firmware: undefined,
  };
}

describe('ingest deduplication marks', () => {
  let t: TestEngine;
  let db: Engine;
  const now = () => 1_800_000_000_000;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
  });
  afterAll(async () => {
    await t.close();
  });

  const stored = async (deviceId: string) =>
    (
      await db.many<{ seq: number }>(
        sql`SELECT seq FROM telemetry WHERE device_id = ${deviceId} AND property = 'light.brightness' ORDER BY seq`,
      )
    ).map((r) => r.seq);

  it('stores out-of-order and far-behind seqs once, refuses redeliveries across batches and restarts, keeps versions monotonic', async () => {
    const bus = createRegistryBus();
    const versions: number[] = [];
    bus.on('reported', (r) => {
      if (r.deviceId === 'd2') versions.push(r.version);
    });
    let writer = new IngestWriter({ store: db, bus, log, now });
    const send = (seq: number): Promise<IngestOutcome> => writer.submit('d2', props(seq, seq % 100));
    const high = 10_000_000;
    // One batch: in order, out of order within the window, a redelivery beside its original.
    expect(await Promise.all([high, high - 5, high - 2, high - 5].map(send))).toEqual([
      'stored',
      'stored',
      'stored',
      'duplicate',
    ]);
    // Later batches: the same seqs are redeliveries; the gaps are not.
    expect(await send(high - 2)).toBe('duplicate');
    expect(await send(high)).toBe('duplicate');
    expect(await send(high - 1)).toBe('stored');
    // Far behind the mark (a clock set back): stored once, then remembered.
    expect(await send(high - WINDOW - 10)).toBe('stored');
    expect(await send(high - WINDOW - 10)).toBe('duplicate');
    // A jump forward past the whole window (a device restarted on its clock): what was behind the
    // old mark is forgotten, and the old mark is stored again, once, like any seq never seen.
    expect(await send(high + WINDOW * 3)).toBe('stored');
    expect(await send(high)).toBe('stored');
    expect(await send(high)).toBe('duplicate');
    await writer.close();

    // A new writer (a restarted hub) reads the marks and versions back from the database.
    writer = new IngestWriter({ store: db, bus, log, now });
    expect(await Promise.all([high + WINDOW * 3, high, high - WINDOW - 10].map(send))).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect(await send(high + WINDOW * 3 + 1)).toBe('stored');
    await writer.close();

    expect(await stored('d2')).toEqual(
      [
        high - WINDOW - 10,
        high - 5,
        high - 2,
        high - 1,
        high,
        high,
        high + WINDOW * 3,
        high + WINDOW * 3 + 1,
      ].sort((a, b) => a - b),
    );
    // Every stored report took the next version, across the restart.
    expect(versions).toHaveLength(8);
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBe((versions[i - 1] ?? 0) + 1);
    expect(await db.one(sql`SELECT shadow_version, seq_high FROM devices WHERE id = 'd2'`)).toEqual({
      shadow_version: versions.at(-1),
      seq_high: high + WINDOW * 3 + 1,
    });
  });

  it('migration 0380 turns the remembered seqs of each device into its mark', async () => {
    const old = await openTestEngine();
    try {
      const engine = old.engine;
      await runMigrations(
        engine,
        migrationsFor(engine).filter((m) => m.version < 380),
      );
      await seedEveryTable(engine);
      await engine.run(
        sql`INSERT INTO device_reports (device_id, seq, received_at) VALUES ('d1', 41, 1), ('d1', 42, 1), ('d1', 7, 1)`,
      );
      await runMigrations(engine);
      expect(
        await engine.many(sql`SELECT id, seq_high, length(seq_recent) AS bits FROM devices ORDER BY id`),
      ).toEqual([
        { id: 'd1', seq_high: 42, bits: WINDOW / 4 },
        { id: 'd2', seq_high: null, bits: null },
      ]);
      // Every seq of the window below the mark counts as stored: a redelivery after the upgrade is refused.
      const writer = new IngestWriter({ store: engine, bus: createRegistryBus(), log, now });
      expect(await Promise.all([42, 41, 7, 43].map((s) => writer.submit('d1', props(s, 1))))).toEqual([
        'duplicate',
        'duplicate',
        'duplicate',
        'stored',
      ]);
      await writer.close();
    } finally {
      await old.close();
    }
  });
});
