import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Faults } from '../../firmware-sim/faults.js';
import { derivePlan, type PlanCase } from '../../src/certification/plan.js';
import { compileSpec } from '../../src/registry/spec/index.js';
import { onboardDeviceMaker } from '../support/devices.js';
import { startHub, type TestHub } from '../support/hub.js';
import { failedCases, runToEnd, startSim, submittedModel, TEST_BUDGETS } from './certification-support.js';

/**
 * No false passes (issue 17): the harness against the simulator in every fault mode (docs/simulator.md),
 * each failing exactly the cases it should. The expected sets are computed from the plan, by rule.
 */

const MODEL = 'acme.light.bulb1';
type Rule = (c: PlanCase, notify: (key: string) => boolean) => boolean;

const commandCase = (c: PlanCase) => ['read', 'write', 'invalid', 'action', 'desired'].includes(c.kind);
// Every report is rejected by the hub: nothing the device reports counts.
const badReports: Rule = (c, notify) =>
  c.kind === 'report' ||
  (c.kind === 'write' && notify(c.property as string)) ||
  c.id === 'reconnect.rereport' ||
  c.kind === 'desired';

const matrix: Array<[string, Faults, Rule]> = [
  ['outOfRange', { outOfRange: true }, badReports],
  ['wrongFormat', { wrongFormat: true }, badReports],
  ['malformedJson', { malformedJson: true }, badReports],
  // Only the full report after connecting is sent: reads fine, writes never reflected.
  [
    'dropReports',
    { dropReports: true },
    (c, notify) => (c.kind === 'write' && notify(c.property as string)) || c.kind === 'desired',
  ],
  ['slowReplies', { slowReplies: TEST_BUDGETS.replyMs + 700 }, commandCase],
  ['noReplies', { noReplies: true }, commandCase],
  ['duplicateReplies', { duplicateReplies: true }, commandCase],
  ['wrongCodes', { wrongCodes: true }, (c) => c.expectCode !== undefined],
  ['acceptInvalid', { acceptInvalid: true }, (c) => c.expectCode === 'VALUE_INVALID'],
  ['noBackoff', { noBackoff: true }, (c) => c.id === 'reconnect.backoff' || c.id === 'reconnect.jitter'],
  ['noJitter', { noJitter: true }, (c) => c.id === 'reconnect.jitter'],
];

let hub: TestHub;

beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('the harness against every fault mode of the simulator', () => {
  it('passes the well-behaved device and fails each fault mode on exactly its cases', async () => {
    const runs = await Promise.all(
      [['none', {}, () => false] as [string, Faults, Rule], ...matrix].map(async ([name, faults, rule]) => {
        // A partner each: a partner runs at most 5 at once.
        const partner = await onboardDeviceMaker(hub);
        const { doc, device } = await submittedModel(hub, partner, MODEL);
        const sim = await startSim(hub, doc, device, faults);
        const started = Date.now();
        try {
          const run = await runToEnd(hub, partner.key, {
            modelId: doc.model,
            version: 1,
            deviceId: device.id,
          });
          const spec = compileSpec(doc);
          const notify = (key: string) => spec.property(key)?.notifiable === true;
          const expected = derivePlan(doc.model, 1, doc, TEST_BUDGETS)
            .cases.filter((c) => rule(c, notify))
            .map((c) => c.id)
            .sort();
          return { name, expected, failed: failedCases(run), run, ms: Date.now() - started };
        } finally {
          await sim.stop();
        }
      }),
    );
    for (const { name, expected, failed, run } of runs) {
      const why = run.cases
        .filter((c) => c.verdict === 'fail')
        .map((c) => `${c.id}: ${c.reasons.join('; ')}`);
      expect(failed, `${name}:\n${why.join('\n')}`).toEqual(expected);
      expect(run.verdict, name).toBe(name === 'none' ? 'pass' : 'fail');
    }
    // The matrix, as the closing note of the issue shows it.
    console.log(
      runs
        .map((r) => `${r.name}: ${r.failed.length} of ${r.run.cases.length} cases fail (${r.ms} ms)`)
        .join('\n'),
    );
  }, 240_000);
});
