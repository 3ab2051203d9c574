/**
 * Presence rows written by two nodes of a cluster land in the database in whatever order their
 * batches commit. A node that sweeps a dead node's device queues "offline"; the device may have
 * reconnected on another node a moment later, whose "online" commits first. The later-committed but
 * older "offline" must not win: found by `npm run bench:cluster` (a device connected, online in
 * Redis, offline in the database for good after a node was killed and its devices reconnected).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceDirectory } from '../../src/registry/devices/directory.js';
import { DeviceService } from '../../src/registry/devices/service.js';
import { createRegistryBus } from '../../src/registry/events.js';
import { SpecCache } from '../../src/registry/spec-cache.js';
import type { Engine } from '../../src/store/engine.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const log = pino({ level: 'silent' });

describe('presence written by several nodes', () => {
  let t: TestEngine;
  let db: Engine;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
  });
  afterAll(async () => {
    await t?.close();
  });

  function node(now: () => number): DeviceService {
    return new DeviceService({
      store: db,
      log,
      bus: createRegistryBus(),
      specs: new SpecCache(async () => undefined),
      directory: new DeviceDirectory(db),
      now,
      sharedPresence: true,
    });
  }

  it('keeps a device online when a sweep of its dead node commits after its reconnect elsewhere', async () => {
    const sweeper = node(() => 1_800_000_000_000);
    const other = node(() => 1_800_000_000_500);
    await sweeper.start();
    await other.start();
    // The device reconnects on `other` 500 ms after the sweeper released it; the sweeper's
    // batch commits last.
    other.connected('d1');
    expect((await other.rows(['d1']))[0]?.online).toBe(true);
    sweeper.ownerLost('d1');
    const [row] = await sweeper.rows(['d1']);
    expect(row?.online).toBe(true);
    expect(row?.connected_at).toBe(1_800_000_000_500);
    // A later offline (the device leaves `other`) still goes through.
    other.disconnected('d1');
    expect((await other.rows(['d1']))[0]?.online).toBe(false);
    await sweeper.close();
    await other.close();
  });
});
