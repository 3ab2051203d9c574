import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/firmware/policy.js';
import { stageProgress } from '../../src/firmware/stages.js';
import { FirmwareLive } from '../../web/src/live/firmware-live.js';

const DEVICE = '0a1b2c3d4e5f6071';

function notice(state: string, at: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'firmware-update',
    deviceId: DEVICE,
    executionId: 'ex_1',
    version: '1.1.0',
    state,
    phase: null,
    percent: null,
    reason: null,
    updatedAt: new Date(1_900_000_000_000 + at).toISOString(),
    ...extra,
  };
}

describe('FirmwareLive: the owner’s live update notices', () => {
  it('keeps the newest notice of an update: one that arrives late never takes progress back', () => {
    const live = new FirmwareLive();
    let changes = 0;
    live.subscribe(() => changes++);
    live.apply(notice('in_progress', 2, { phase: 'downloading', percent: 50 }));
    live.apply(notice('in_progress', 1, { phase: 'downloading', percent: 25 }));
    expect(live.latest.get(DEVICE)).toMatchObject({ percent: 50 });
    live.apply(notice('succeeded', 3));
    expect(live.latest.get(DEVICE)?.state).toBe('succeeded');
    expect(changes).toBe(2);
  });

  it('ignores what is not a firmware notice and a notice that does not fit', () => {
    const live = new FirmwareLive();
    live.apply({ type: 'post-status', deviceId: DEVICE });
    live.apply(notice('exploded', 1));
    live.apply('garbage');
    expect(live.latest.size).toBe(0);
  });

  it('a newer update of the device replaces the last one', () => {
    const live = new FirmwareLive();
    live.apply(notice('failed', 5, { reason: 'hash-mismatch' }));
    live.apply(notice('offered', 1, { executionId: 'ex_2', version: '1.2.0' }));
    expect(live.latest.get(DEVICE)).toMatchObject({ executionId: 'ex_2', state: 'offered' });
  });
});

describe('stageProgress: a rollout per stage', () => {
  const policy = { ...DEFAULT_POLICY, canary: 2, stages: [50, 100] };
  const none = {
    queued: 0,
    offered: 0,
    in_progress: 0,
    succeeded: 0,
    failed: 0,
    timed_out: 0,
    rejected: 0,
    cancelled: 0,
  };

  it('plans each stage’s share of the target and counts its executions by outcome', () => {
    const stages = stageProgress(policy, 10, 1, [
      { stage: 0, byState: { ...none, succeeded: 1, failed: 1 } },
      { stage: 1, byState: { ...none, succeeded: 1, in_progress: 1, queued: 1, timed_out: 1 } },
    ]);
    expect(stages).toEqual([
      expect.objectContaining({
        label: 'canary',
        planned: 2,
        targeted: 2,
        succeeded: 1,
        failed: 1,
        status: 'done',
      }),
      expect.objectContaining({
        label: '50%',
        planned: 3,
        targeted: 4,
        failed: 1,
        inProgress: 1,
        retrying: 1,
      }),
      expect.objectContaining({ label: '100%', planned: 5, targeted: 0, status: 'waiting' }),
    ]);
  });

  it('a canary larger than the fleet takes it all; later stages plan nothing', () => {
    const stages = stageProgress(policy, 1, 0, []);
    expect(stages.map((s) => s.planned)).toEqual([1, 0, 0]);
  });
});
