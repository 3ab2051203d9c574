/**
 * Presence writes and the ingest writer's group commit update the same device rows at once (a fleet
 * connecting: each CONNACK queues a presence change, each full report an ingest item). On
 * PostgreSQL both lock rows in one order (by device id), so they wait for each other and never
 * deadlock: a deadlock aborted the ingest batch, the broker refused the reports and closed the
 * devices' connections (ecohub-sim counted reconnects and errors). On SQLite there is one writer,
 * so the same calls only have to succeed.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceDirectory } from '../../src/registry/devices/directory.js';
import { DeviceService } from '../../src/registry/devices/service.js';
import { createRegistryBus } from '../../src/registry/events.js';
import { SpecCache } from '../../src/registry/spec-cache.js';
import type { AcceptedReport } from '../../src/registry/telemetry/reports.js';
import { IngestWriter } from '../../src/registry/telemetry/writer.js';
import type { Engine } from '../../src/store/engine.js';
import { openEngine } from '../../src/store/open.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const log = pino({ level: 'silent' });

function report(seq: number): AcceptedReport {
  return {
    kind: 'props',
    seq,
    deviceTs: null,
    values: [{ key: 'light.on', value: true, num: 1 }],
    firmware: undefined,
  };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('presence and ingest on the same device rows', () => {
  let t: TestEngine;
  let db: Engine;
  const now = () => 1_800_000_000_000;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a presence batch and an ingest batch over the same devices both commit, whatever order the devices connected in', async () => {
    const bus = createRegistryBus();
    const specs = new SpecCache(async () => undefined);
    const devices = new DeviceService({
      store: db,
      log,
      bus,
      specs,
      directory: new DeviceDirectory(db),
      now,
    });
    await devices.start();
    const writer = new IngestWriter({ store: db, bus, log, now });
    const postgres = db.dialect === 'postgres';
    // PostgreSQL: another session holds d2, so that the presence batch and the ingest batch are
    // both inside their transactions, waiting, when it lets go: the interleaving of a fleet's connect.
    let release = () => {};
    let holder: Promise<void> = Promise.resolve();
    let other: Engine | undefined;
    const waiting = async () =>
      (
        await db.one<{ n: number }>(
          sql`SELECT CAST(count(*) AS INTEGER) AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      )?.n ?? 0;
    if (postgres) {
      other = await openEngine(t.database.target, { poolSize: 1 });
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked = () => {};
      const ready = new Promise<void>((resolve) => {
        locked = resolve;
      });
      holder = other.transaction(async (tx) => {
        await tx.many(sql`SELECT id FROM devices WHERE id = 'd2' FOR UPDATE`);
        locked();
        await held;
      });
      await ready;
    }
    // d2 connects before d1: the presence batch lists d2 first.
    devices.connected('d2');
    devices.connected('d1');
    if (postgres) await until(async () => (await waiting()) === 1, 'the presence batch to wait');
    const stored = Promise.all([writer.submit('d1', report(1)), writer.submit('d2', report(1))]);
    if (postgres) await until(async () => (await waiting()) === 2, 'the ingest batch to wait');
    release();
    await holder;
    expect(await stored).toEqual(['stored', 'stored']);
    const rows = await devices.rows(['d1', 'd2']);
    expect(rows.map((r) => [r.id, r.online])).toEqual([
      ['d1', true],
      ['d2', true],
    ]);
    await writer.close();
    await devices.close();
    await other?.close();
  });
});
