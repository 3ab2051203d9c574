import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QualityRecorder } from '../../src/certification/quality/recorder.js';
import { ScorecardService } from '../../src/certification/quality/scorecards.js';
import * as store from '../../src/certification/store.js';
import * as executions from '../../src/firmware/store-executions.js';
import * as packages from '../../src/firmware/store-packages.js';
import * as rollouts from '../../src/firmware/store-rollouts.js';
import type { Engine } from '../../src/store/engine.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

/**
 * The certification and quality stores on the run's engine (SQLite under npm test, PostgreSQL under
 * test:postgres), and the scorecards of a scripted fleet against figures computed by hand.
 */

const H = 3_600_000;
/** 2026-01-10T00:00Z: the scripted fleet's first day. */
const D = Date.UTC(2026, 0, 10);
const OPERATOR = { kind: 'operator', tokenId: 'env' } as const;

function run(id: string, over: Partial<store.RunRow> = {}): store.RunRow {
  return {
    id,
    partner_id: 'p1',
    model_id: 'acme.light.bulb1',
    version: 1,
    device_id: 'd1',
    state: 'running',
    verdict: null,
    plan: '{}',
    total: 3,
    passed: 0,
    failed: 0,
    firmware_revision: null,
    note: null,
    started_by: 'partner:k1',
    started_at: D,
    finished_at: null,
    ...over,
  };
}

describe('certification and quality stores', () => {
  let t: TestEngine;
  let db: Engine;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finishes a run once, finds the newest passing run per firmware, pages runs and cancels orphans', async () => {
    await store.insertRun(db, run('r1', { started_at: D }));
    await store.insertRun(db, run('r2', { started_at: D + 1 }));
    await store.insertRun(db, run('r3', { started_at: D + 2, device_id: 'd2' }));
    const finish = { state: 'finished', passed: 3, failed: 0, note: null } as const;
    expect(
      await store.finishRun(db, {
        id: 'r1',
        ...finish,
        verdict: 'pass',
        firmware_revision: '1.0.0',
        finished_at: D + 10,
      }),
    ).toBe(true);
    // A second finish of the same run changes nothing (conditional update).
    expect(
      await store.finishRun(db, {
        id: 'r1',
        ...finish,
        verdict: 'fail',
        firmware_revision: 'x',
        finished_at: D + 11,
      }),
    ).toBe(false);
    await store.finishRun(db, {
      id: 'r2',
      ...finish,
      verdict: 'pass',
      firmware_revision: '1.1.0',
      finished_at: D + 20,
    });
    expect(await store.latestPassingRun(db, 'acme.light.bulb1', 1)).toMatchObject({ id: 'r2' });
    expect(await store.latestPassingRun(db, 'acme.light.bulb1', 1, '1.0.0')).toMatchObject({ id: 'r1' });
    expect(await store.latestPassingRun(db, 'acme.light.bulb1', 1, '2.0.0')).toBeUndefined();
    const found = await store.findRun(db, 'r1');
    expect(found).toMatchObject({ verdict: 'pass', version: 1, total: 3, finished_at: D + 10 });
    expect(typeof found?.started_at).toBe('number');
    expect(await store.runningOnDevice(db, 'd2')).toEqual({ id: 'r3' });
    expect(await store.countRunning(db, 'p1')).toBe(1);
    const first = await store.listRuns(db, { partnerId: 'p1' }, undefined, 2);
    expect(first.map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    const after = await store.listRuns(db, { partnerId: 'p1' }, [D + 1, 'r2'], 2);
    expect(after.map((r) => r.id)).toEqual(['r1']);
    expect(await store.cancelOrphans(db, D + 30)).toBe(1);
    expect(await store.findRun(db, 'r3')).toMatchObject({ state: 'cancelled', finished_at: D + 30 });
    await store.insertCase(db, { run_id: 'r1', position: 1, case_id: 'b', verdict: 'pass', result: '{}' });
    await store.insertCase(db, { run_id: 'r1', position: 0, case_id: 'a', verdict: 'pass', result: '{}' });
    await store.insertCase(db, {
      run_id: 'r1',
      position: 0,
      case_id: 'a',
      verdict: 'fail',
      result: '{"x":1}',
    });
    expect((await store.readCases(db, 'r1')).map((c) => [c.case_id, c.verdict])).toEqual([
      ['a', 'fail'],
      ['b', 'pass'],
    ]);
    await store.insertDecision(db, {
      id: 'dec1',
      model_id: 'acme.light.bulb1',
      version: 1,
      kind: 'override',
      run_id: null,
      reason: 'certified by hand before the harness',
      decided_by: 'env',
      decided_at: D + 40,
    });
    expect(await store.readDecisions(db, 'acme.light.bulb1', 1)).toEqual([
      expect.objectContaining({ kind: 'override', run_id: null, decided_at: D + 40 }),
    ]);
  });

  it('scorecards of a scripted fleet match the figures computed by hand', async () => {
    let now = D;
    const recorder = new QualityRecorder({
      store: db,
      log: pino({ level: 'silent' }),
      owner: async (id) =>
        ['d1', 'd2'].includes(id) ? { modelId: 'acme.light.bulb1', partnerId: 'p1' } : undefined,
      now: () => now,
      flushMs: 3_600_000,
    });
    // Commands: 6 ok in 20 ms, 2 ok in 200 ms, 1 refused (VALUE_INVALID) in 30 ms, 1 timed out.
    for (let i = 0; i < 6; i++) recorder.command('d1', { ok: true, latencyMs: 20 });
    recorder.command('d1', { ok: true, latencyMs: 200 });
    recorder.command('d2', { ok: true, latencyMs: 200 });
    recorder.command('d2', { ok: false, code: 'VALUE_INVALID', latencyMs: 30 });
    recorder.command('d2', { timeout: true });
    // d1 offline 01:00-03:00 on day 1; d2 offline from 20:00 on day 1 to 02:00 on day 2 (across midnight,
    // with a flush in between). A device of no known model is not counted.
    recorder.presence('d1', false, D + 1 * H);
    recorder.presence('d1', true, D + 3 * H);
    recorder.presence('d2', false, D + 20 * H);
    recorder.presence('nobody', false, D + 20 * H);
    now = D + 23 * H;
    await recorder.flush();
    now = D + 26 * H;
    recorder.presence('d2', true, D + 26 * H);
    recorder.rejected('d2', 'out-of-range');
    recorder.rejected('d2', 'out-of-range');
    recorder.rejected('d1', 'malformed');
    await recorder.close();
    await db.run(sql`UPDATE devices SET connection_count = 4 WHERE id IN ('d1', 'd2')`);

    // Updates: of three attempts finished in the window, one succeeded, one failed, one timed out.
    await packages.insertPackage(db, {
      id: 'fw1',
      partner_id: 'p1',
      model_id: 'acme.light.bulb1',
      version: '1.1.0',
      spec_version: 1,
      notes: '',
      created_at: D,
    });
    for (const id of ['ro1', 'ro2']) {
      await rollouts.insertRollout(db, {
        id,
        partner_id: 'p1',
        model_id: 'acme.light.bulb1',
        package_id: 'fw1',
        target: '{"kind":"model"}',
        rollback: false,
        state: 'completed',
        policy: '{}',
        start_at: D,
        started_at: D,
        created_at: D,
        created_by: 'op',
      });
    }
    await executions.insertExecutions(db, [
      { id: 'ex1', rollout_id: 'ro1', device_id: 'd1', position: 0, at: D },
      { id: 'ex2', rollout_id: 'ro1', device_id: 'd2', position: 1, at: D },
      { id: 'ex3', rollout_id: 'ro2', device_id: 'd1', position: 0, at: D },
    ]);
    for (const [id, state] of [
      ['ex1', 'succeeded'],
      ['ex2', 'failed'],
      ['ex3', 'timed_out'],
    ] as const) {
      await db.run(
        sql`UPDATE firmware_executions SET state = ${state}, finished_at = ${D + 5 * H} WHERE id = ${id}`,
      );
    }
    // Sales: 3 units paid in one order and 1 in another, that one refunded; d2 activated (of the 3).
    await db.run(sql`INSERT INTO commerce_orders (id, user_id, status, currency, total_minor, created_at, expires_at, paid_at)
        VALUES ('o2', 'u1', 'paid', 'EUR', 5997, ${D}, ${D + H}, ${D + H}),
               ('o3', 'u1', 'refunded', 'EUR', 1999, ${D}, ${D + H}, ${D + 2 * H})`);
    await db.run(sql`INSERT INTO commerce_order_lines (order_id, line_no, sku_id, partner_id, model_id, unit_price_minor, quantity, amount_minor, refunded_at)
        VALUES ('o2', 0, 's1', 'p1', 'acme.light.bulb1', 1999, 3, 5997, NULL),
               ('o3', 0, 's1', 'p1', 'acme.light.bulb1', 1999, 1, 1999, ${D + 5 * H})`);
    await db.run(sql`INSERT INTO commerce_activations (device_id, order_id, line_no, partner_id, user_id, currency, activated_at, statement_month)
        VALUES ('d2', 'o2', 0, 'p1', 'u1', 'EUR', ${D + 3 * H}, '2026-01')`);

    const cards = new ScorecardService(db, () => now);
    const { models, window } = await cards.partner(OPERATOR, 'p1', 2);
    expect(window).toEqual({ days: 2, from: '2026-01-10', to: '2026-01-11' });
    const [card] = models;
    expect(card).toMatchObject({
      modelId: 'acme.light.bulb1',
      partnerId: 'p1',
      commands: { total: 10, ok: 8, errors: { VALUE_INVALID: 1 }, timeouts: 1, successRateBp: 8000 },
      // 9 samples: 6 in (10, 25], 1 in (25, 50], 2 in (100, 250]: p50 = 10 + 15 x 4.5/6, p95 = 100 + 150 x 1.55/2.
      replyLatencyMs: { p50: 21, p95: 216, samples: 9 },
      // 2 h + 6 h offline over 2 devices x 2 days.
      offline: { devices: 2, hoursPerDevicePerDay: 2 },
      connects: { total: 2, perDevicePerDay: 0.5 },
      rejectedReports: { total: 3, byReason: { 'out-of-range': 2, malformed: 1 } },
      updates: { finished: 3, failed: 2, failureRateBp: 6667 },
      sales: { sold: 4, refunded: 1, activated: 1, refundRateBp: 2500, activationRateBp: 2500 },
    });
    expect(card?.certification.map((h) => [h.kind, h.verdict])).toEqual([
      ['override', null],
      ['run', 'pass'],
      ['run', 'pass'],
    ]);
    const model = await cards.model(
      { kind: 'partner', partnerId: 'p1', keyId: 'k1' } as never,
      'acme.light.bulb1',
      2,
    );
    expect(model.daily).toEqual([
      {
        day: '2026-01-10',
        commands: 10,
        commandsOk: 8,
        timeouts: 1,
        offlineMs: 6 * H,
        connects: 1,
        rejectedReports: 0,
      },
      {
        day: '2026-01-11',
        commands: 0,
        commandsOk: 0,
        timeouts: 0,
        offlineMs: 2 * H,
        connects: 1,
        rejectedReports: 3,
      },
    ]);
    await expect(
      cards.partner({ kind: 'partner', partnerId: 'p2', keyId: 'k2' } as never, 'p1', 2),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
