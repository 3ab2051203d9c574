/**
 * The registry's stores on the run's engine (SQLite under `npm test`, PostgreSQL under
 * `npm run test:postgres`): the model lifecycle, provisioning and device reads through the services,
 * and the ingest writer's group commit (dedup, shadow versions, history readers).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/identity/identity.js';
import { DeviceDirectory } from '../../src/registry/devices/directory.js';
import { DeviceService } from '../../src/registry/devices/service.js';
import { findModelVersion } from '../../src/registry/devices/store.js';
import { createRegistryBus } from '../../src/registry/events.js';
import { ModelService } from '../../src/registry/models/service.js';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { SpecCache } from '../../src/registry/spec-cache.js';
import { readBuckets, readEvents, readHistory } from '../../src/registry/telemetry/store.js';
import { IngestWriter } from '../../src/registry/telemetry/writer.js';
import type { Engine } from '../../src/store/engine.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';
import { exampleModel } from '../support/models.js';

const log = pino({ level: 'silent' });
const PARTNER: Identity = { kind: 'partner', partnerId: 'p1', keyId: 'k1' };
const OPERATOR: Identity = { kind: 'operator', tokenId: 'op' };

describe('registry stores', () => {
  let t: TestEngine;
  let db: Engine;
  let clock = 1_800_000_000_000;
  const now = () => clock;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('takes a model through its lifecycle, provisions devices and reads them back', async () => {
    const models = new ModelService({ store: db, log, now });
    const doc = { ...exampleModel('acme.light.bulb1', 'acme'), model: 'acme.light.engine1' };
    expect((await models.create(PARTNER, doc)).state).toBe('draft');
    await models.submit(PARTNER, doc.model, 1);
    await models.certify(OPERATOR, doc.model, 1, 'checked');
    expect((await models.publish(PARTNER, doc.model, 1)).state).toBe('published');
    await expect(models.create(PARTNER, doc)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const page = await models.list(PARTNER, { state: 'published' }, { limit: 1 });
    expect(page.items.map((m) => m.id)).toEqual(['acme.light.bulb1']);
    const next = await models.list(PARTNER, { state: 'published' }, { limit: 1, after: page.next ?? [] });
    expect(next.items.map((m) => m.id)).toEqual([doc.model]);
    expect((await models.catalogDocument(doc.model)).model).toBe(doc.model);

    const bus = createRegistryBus();
    const specs = new SpecCache(async (modelId, version) => {
      const row = await findModelVersion(db, modelId, version);
      return row ? (JSON.parse(row.document) as ModelSpec) : undefined;
    });
    const directory = new DeviceDirectory(db);
    const devices = new DeviceService({ store: db, log, bus, specs, directory, now });
    await devices.start();
    const { batch, devices: made } = await devices.provision('p1', {
      modelId: doc.model,
      version: 1,
      size: 1200,
    });
    expect(made).toHaveLength(1200);
    const first = made[0];
    if (!first) throw new Error('no device');
    const auth = await devices.authenticate(first.id, first.id, Buffer.from(first.secret));
    expect(auth.ok).toBe(true);
    expect((await devices.authenticate(first.id, first.id, Buffer.from('wrong'))).ok).toBe(false);
    expect((await devices.list(PARTNER, { batchId: batch.id }, { limit: 2000 })).items).toHaveLength(1200);

    devices.connected(first.id);
    const row = await devices.visible(PARTNER, first.id);
    expect(row.online).toBe(true);
    expect(row.connection_count).toBe(1);
    expect((await devices.list(OPERATOR, { online: true }, { limit: 10 })).items.map((d) => d.id)).toContain(
      first.id,
    );
    expect((await devices.setBlocked(PARTNER, first.id, true)).blocked).toBe(true);
    expect(await devices.authenticate(first.id, first.id, Buffer.from(first.secret))).toMatchObject({
      ok: false,
      refusal: 'not-authorized',
    });
    devices.disconnected(first.id);
    await devices.close();
    expect(await db.one(sql`SELECT online, blocked FROM devices WHERE id = ${first.id}`)).toEqual({
      online: false,
      blocked: true,
    });
  });

  it('group-commits reports and events: duplicates stored once, shadow versions in order', async () => {
    const bus = createRegistryBus();
    const reported: number[] = [];
    bus.on('reported', (r) => reported.push(r.version));
    const writer = new IngestWriter({ store: db, bus, log, now });
    const report = (seq: number, on: boolean, firmware?: string) =>
      writer.submit('d2', {
        kind: 'props',
        seq,
        deviceTs: null,
        values: [{ key: 'light.on', value: on, num: on ? 1 : 0 }],
        firmware,
      });
    const before = await db.one<{ shadow_version: number }>(
      sql`SELECT shadow_version FROM devices WHERE id = 'd2'`,
    );
    const outcomes = await Promise.all([
      report(1, true),
      report(1, true), // a redelivery in the same batch
      report(2, false, '1.2.3'),
      writer.submit('d2', {
        kind: 'event',
        seq: 3,
        deviceTs: 5,
        event: 'light.fault',
        arguments: { code: 7 },
      }),
    ]);
    expect(outcomes).toEqual(['stored', 'duplicate', 'stored', 'stored']);
    expect(await report(2, false)).toBe('duplicate'); // a redelivery in a later batch
    const base = before?.shadow_version ?? 0;
    expect(reported).toEqual([base + 1, base + 2]);
    expect(
      await db.one(sql`SELECT shadow_version, firmware_version, last_seen_at FROM devices WHERE id = 'd2'`),
    ).toEqual({ shadow_version: base + 2, firmware_version: '1.2.3', last_seen_at: clock });
    expect(
      await db.one(
        sql`SELECT value, version FROM device_shadow WHERE device_id = 'd2' AND property = 'light.on'`,
      ),
    ).toEqual({ value: 'false', version: base + 2 });

    const range = { from: 0, to: clock + 1 };
    const history = await readHistory(db, 'd2', 'light.on', range, undefined, 10);
    expect(history.map((p) => [p.seq, p.value])).toEqual([
      [1, 'true'],
      [2, 'false'],
    ]);
    expect(await readHistory(db, 'd2', 'light.on', range, { ts: clock, seq: 1 }, 10)).toHaveLength(1);
    expect(await readBuckets(db, 'd2', 'light.on', 0, clock + 1, 3_600_000, 10)).toEqual([
      { bucket: Math.floor(clock / 3_600_000), min: 0, max: 1, avg: 0.5, count: 2 },
    ]);
    expect(await readEvents(db, 'd2', range, undefined, 10)).toEqual([
      { event: 'light.fault', ts: clock, device_ts: 5, seq: 3, arguments: '{"code":7}' },
    ]);
    clock += 1;
    await writer.close();
    await expect(report(9, true)).rejects.toThrow('closed');
  });
});
