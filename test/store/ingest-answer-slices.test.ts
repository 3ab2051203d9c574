/**
 * A committed batch is answered in slices, one per event-loop turn, so that a phone's command or a
 * timer waits for one slice, not for a whole batch of reports being acknowledged and announced.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryBus } from '../../src/registry/events.js';
import { IngestWriter } from '../../src/registry/telemetry/writer.js';
import type { Engine } from '../../src/store/engine.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const log = pino({ level: 'silent' });

describe('ingest answers', () => {
  let t: TestEngine;
  let db: Engine;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a 1,000-report batch over several event-loop turns, in order, every report once', async () => {
    const bus = createRegistryBus();
    const announced: number[] = [];
    bus.on('reported', (r) => announced.push(r.version));
    const writer = new IngestWriter({ store: db, bus, log, now: () => 1_800_000_000_000 });
    try {
      const answered: number[] = [];
      let answeredBeforeNextTurn: number | undefined;
      const all = Array.from({ length: 1000 }, (_, i) =>
        writer
          .submit('d2', {
            kind: 'props',
            seq: 1000 + i,
            deviceTs: null,
            values: [{ key: 'light.brightness', value: i % 100, num: i % 100 }],
            firmware: undefined,
          })
          .then((outcome) => {
            expect(outcome).toBe('stored');
            answered.push(i);
            if (answered.length === 1) setImmediate(() => (answeredBeforeNextTurn = answered.length));
          }),
      );
      await Promise.all(all);
      // The turn after the first answer came after at most two slices (the writer's next slice was
      // queued before it); the rest were answered after it.
      expect(answeredBeforeNextTurn).toBeGreaterThan(0);
      expect(answeredBeforeNextTurn).toBeLessThanOrEqual(256);
      expect(answered).toEqual([...answered].sort((a, b) => a - b));
      expect(announced).toHaveLength(1000);
      expect(announced).toEqual([...announced].sort((a, b) => a - b));
    } finally {
      await writer.close();
    }
  });
});
