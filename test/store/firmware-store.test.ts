import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tally from '../../src/firmware/store-execution-figures.js';
import * as executions from '../../src/firmware/store-executions.js';
import * as packages from '../../src/firmware/store-packages.js';
import * as rollouts from '../../src/firmware/store-rollouts.js';
import type { Engine } from '../../src/store/engine.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

/** The firmware stores on the run's engine (SQLite under npm test, PostgreSQL under test:postgres). */
describe('firmware stores', () => {
  let t: TestEngine;
  let db: Engine;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
    await packages.insertPackage(db, {
      id: 'fw1',
      partner_id: 'p1',
      model_id: 'acme.light.bulb1',
      version: '1.1.0',
      spec_version: 1,
      notes: '',
      created_at: 1,
    });
    await rollouts.insertRollout(db, {
      id: 'ro1',
      partner_id: 'p1',
      model_id: 'acme.light.bulb1',
      package_id: 'fw1',
      target: '{"kind":"model"}',
      rollback: false,
      state: 'running',
      policy: '{}',
      start_at: 1,
      started_at: 1,
      created_at: 1,
      created_by: 'op',
    });
    await executions.insertExecutions(db, [
      { id: 'ex1', rollout_id: 'ro1', device_id: 'd1', position: 0, at: 1 },
      { id: 'ex2', rollout_id: 'ro1', device_id: 'd2', position: 1, at: 1 },
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a second package with the same version of a model, and signs off a draft once', async () => {
    const again = await packages.insertPackage(db, {
      id: 'fw2',
      partner_id: 'p1',
      model_id: 'acme.light.bulb1',
      version: '1.1.0',
      spec_version: 1,
      notes: '',
      created_at: 2,
    });
    expect(again).toBe(false);
    const fields = { size: 3, sha256: 'ab', manifest: '{}', signature: 's', partnerSignature: null, at: 2 };
    expect(await packages.markReady(db, 'fw1', fields)).toBe(true);
    expect(await packages.markReady(db, 'fw1', fields)).toBe(false);
    expect((await packages.findPackage(db, 'fw1'))?.state).toBe('ready');
  });

  it('moves an execution through its states once, with booleans and integers as such', async () => {
    const [first] = await executions.nextToOffer(db, 'ro1', 10, { retries: 5, fresh: 1 });
    expect(first?.id).toBe('ex1');
    const offered = await executions.markOffered(db, 'ex1', {
      stage: 0,
      fromVersion: '1.0.0',
      at: 10,
      dueAt: 100,
    });
    expect(offered).toMatchObject({ state: 'offered', attempts: 1, stage: 0, due_at: 100 });
    expect(
      await executions.markOffered(db, 'ex1', { stage: 0, fromVersion: null, at: 11, dueAt: 101 }),
    ).toBeUndefined();
    expect((await executions.overdue(db, 100, 10)).map((r) => r.id)).toEqual(['ex1']);
    const retried = await executions.finishAttempt(db, 'ex1', ['offered', 'in_progress'], {
      state: 'timed_out',
      reason: 'deadline',
      at: 100,
      retryAt: 200,
    });
    expect(retried).toMatchObject({ state: 'queued', due_at: 200, finished_at: null });
    expect(await executions.nextToOffer(db, 'ro1', 150, { retries: 5, fresh: 0 })).toEqual([]);
    expect((await executions.nextToOffer(db, 'ro1', 200, { retries: 5, fresh: 0 })).map((r) => r.id)).toEqual(
      ['ex1'],
    );
    await executions.markOffered(db, 'ex1', { stage: 0, fromVersion: null, at: 200, dueAt: 300 });
    const done = await executions.finishAttempt(db, 'ex1', ['offered', 'in_progress'], {
      state: 'succeeded',
      reason: null,
      at: 250,
    });
    expect(done).toMatchObject({ state: 'succeeded', succeeded_at: 250, attempts: 2, from_version: '1.0.0' });
    await executions.addHealth(db, 'ex1', {
      errorsBefore: 0,
      errorsAfter: 3,
      offlineBefore: 0,
      offlineAfter: true,
    });
    await executions.addHealth(db, 'ex2', {
      errorsBefore: 1,
      errorsAfter: 0,
      offlineBefore: 2,
      offlineAfter: false,
    });
    const counts = await tally.countRollout(db, 'ro1', 260);
    expect(counts).toMatchObject({ total: 2, taken: 1, offeredLastMinute: 1 });
    expect(counts.byState.succeeded).toBe(1);
    const health = await tally.healthFigures(db, 'ro1', 1, 1000);
    expect(health).toEqual({
      updated: 1,
      offlineAfter: 1,
      errorsAfter: 3,
      exposureAfter: 750,
      errorsBefore: 1,
      offlineBefore: 2,
      exposureBefore: 249 + 999,
    });
  });

  it('cancels what is open and lists the live rollouts', async () => {
    expect(await rollouts.liveRolloutIds(db)).toEqual(['ro1']);
    const cancelled = await db.transaction(async (tx) => {
      await rollouts.transition(tx, 'ro1', ['running'], 'cancelled', 300);
      return executions.cancelRollout(tx, 'ro1', 300);
    });
    expect(cancelled.map((r) => r.id)).toEqual(['ex2']);
    expect(await rollouts.liveRolloutIds(db)).toEqual([]);
    expect((await rollouts.findRollout(db, 'ro1'))?.rollback).toBe(false);
  });
});
