/**
 * Desired state while its write waits: a command is sent to the device while its desired values
 * are being stored (commands.ts), so the device's report or refusal can come back before they are
 * committed. Both must still find them (on the run's engine: SQLite under `npm test`).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesiredState } from '../../src/registry/control/desired.js';
import type { Engine } from '../../src/store/engine.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const log = pino({ level: 'silent' });

function gate() {
  let open!: () => void;
  const closed = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, closed };
}

describe('desired state written while the command is out', () => {
  let t: TestEngine;
  let db: Engine;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('clears a reflected value and records a refusal that arrive before the set is committed', async () => {
    const desired = new DesiredState(db, () => 1_800_000_000_000);
    await desired.start(log);
    try {
      // Another writer holds the desired table: the set below waits behind it.
      const locked = gate();
      const release = gate();
      const holding = db.transaction(async (tx) => {
        if (tx.dialect === 'postgres') await tx.run(sql`LOCK TABLE device_desired IN EXCLUSIVE MODE`);
        locked.open();
        await release.closed;
      });
      await locked.closed;
      const setting = desired.set('d2', { 'light.on': true, 'light.brightness': 40 }, 'u1');
      // The device answered and reported before the set was stored.
      const reflected = desired.reported('d2', { 'light.on': true });
      const refused = desired.refused(
        'd2',
        { 'light.brightness': 40 },
        { code: 'E_RANGE', message: 'too bright' },
      );
      release.open();
      await Promise.all([holding, setting, reflected, refused]);
      const view = await desired.fullView('d2');
      expect(view.desired).toEqual({});
      expect(view.refused['light.brightness']).toMatchObject({ value: 40, code: 'E_RANGE' });
      expect(desired.has('d2')).toBe(false);
    } finally {
      await desired.close();
    }
  });
});
