import type { CompiledSpec } from '../registry/spec/index.js';
import { type CheckContext, checkAction, checkInvalid, checkRead, checkWrite, command } from './checks.js';
import type { DeviceLink } from './device-link.js';
import { desiredProperty, type PlanCase, type TestPlan } from './plan.js';
import {
  judgeBackoff,
  judgeJitter,
  needsAnotherCycle,
  type ReconnectCycle,
  reconnectCycle,
  reportsAfter,
} from './reconnect.js';
import type { CaseResult, CheckOutcome } from './results.js';
import { DeviceSession } from './session.js';
import { checkUpdate, type UpdateContext, updateBlocker } from './update.js';
import { sweepValues } from './values.js';
import { sameValue, setCommand } from './wire.js';

export interface RunInput {
  readonly runId: string;
  readonly deviceId: string;
  readonly plan: TestPlan;
  readonly spec: CompiledSpec;
  readonly link: DeviceLink;
  /** Each case as it is decided (a later duplicate reply may still fail it: the final list decides). */
  readonly onCase?: (result: CaseResult) => void;
  /** Each case as it starts (the cases of a phase start together); always before its onCase. */
  readonly onCaseStart?: (c: PlanCase) => void;
  readonly signal?: AbortSignal;
  /** The package and firmware domain for the `update.*` cases (a plan with them needs it). */
  readonly update?: Omit<UpdateContext, keyof CheckContext> | undefined;
}

export interface RunOutcome {
  readonly results: CaseResult[];
  /** `device-information.firmware-revision` as the device reported it during the run. */
  readonly firmwareRevision: string | undefined;
  readonly durationMs: number;
}

/** How long after the last case a second reply to a command still fails its case. */
const DUPLICATE_SETTLE_MS = 250;

/**
 * Runs a plan against a live device through the real broker, case by case, in a fixed order:
 * reports after a (forced) connect; reads; the write sweep; invalid values; actions; two reconnect
 * cycles with withheld CONNACKs (re-report, desired state on return); then jitter and duplicates.
 */
export async function runPlan(input: RunInput): Promise<RunOutcome> {
  const { plan, spec, link, deviceId } = input;
  const session = new DeviceSession(link, deviceId, spec, input.runId);
  const ctx: CheckContext = { session, link, spec, budgets: plan.budgets };
  const byId = new Map<string, CaseResult>();
  const pending = new Map(plan.cases.map((c) => [c.id, c]));
  const begun = new Set<string>();
  const begin = (...cases: PlanCase[]) => {
    for (const c of cases) {
      if (begun.has(c.id)) continue;
      begun.add(c.id);
      input.onCaseStart?.(c);
    }
  };

  const finish = (c: PlanCase, startedAt: number, out: CheckOutcome) => {
    begin(c);
    const evidence = session.take();
    const result: CaseResult = {
      id: c.id,
      kind: c.kind,
      title: c.title,
      verdict: out.reasons.length === 0 ? 'pass' : 'fail',
      reasons: out.reasons,
      startedAt: startedAt - session.startedAt,
      durationMs: Date.now() - startedAt,
      measured: out.measured,
      evidence: evidence.messages,
      evidenceOmitted: evidence.omitted,
    };
    byId.set(c.id, result);
    pending.delete(c.id);
    input.onCase?.(result);
    session.collect();
  };
  const fail = (c: PlanCase, reason: string) => finish(c, Date.now(), { reasons: [reason], measured: {} });
  const aborted = () => input.signal?.aborted === true;

  try {
    session.collect();
    // 0. The update cycle first, so every other case runs on the firmware it installs.
    await updatePhase();
    // 1. Reports after a connect: force one, so every run measures the same thing.
    const reportCases = plan.cases.filter((c) => c.kind === 'report');
    let phaseStart = Date.now();
    begin(...reportCases);
    const connected = await reconnectCycleWithoutHold(ctx);
    if (connected.onlineAt === undefined) {
      for (const c of plan.cases) fail(c, connected.problem ?? 'the device did not connect');
      return done();
    }
    const seen = await reportsAfter(
      ctx,
      reportCases.map((c) => c.property as string),
      connected.onlineAt,
      connected.onlineAt + plan.budgets.reportMs,
    );
    const phaseEvidence = session.take();
    for (const c of reportCases) {
      const ms = seen.get(c.property as string);
      const out: CheckOutcome = { reasons: [], measured: { reportMs: ms ?? null } };
      if (ms === undefined)
        out.reasons.push(
          `no accepted report of ${c.property} within ${plan.budgets.reportMs} ms of connecting`,
        );
      session.collectFrom(phaseEvidence.messages);
      finish(c, phaseStart, out);
    }

    // 2. Commands, one at a time.
    for (const c of plan.cases) {
      if (aborted()) break;
      if (!['read', 'write', 'invalid', 'action'].includes(c.kind)) continue;
      begin(c);
      if (
        !session.online &&
        (await session.waitFor('online', plan.budgets.reconnectMs, (at) => at)) === undefined
      ) {
        fail(c, 'the device was offline');
        continue;
      }
      session.currentCase = c.id;
      const startedAt = Date.now();
      const out =
        c.kind === 'read'
          ? await checkRead(ctx, c)
          : c.kind === 'write'
            ? await checkWrite(ctx, c)
            : c.kind === 'invalid'
              ? await checkInvalid(ctx, c)
              : await checkAction(ctx, c);
      finish(c, startedAt, out);
    }

    // Messages in flight (a second reply) land before the connection is closed on purpose.
    await settle();

    // 3. Two reconnect cycles; the second delivers a value set while the device was away.
    const cycles: ReconnectCycle[] = [];
    const rereport: CheckOutcome = { reasons: [], measured: {} };
    const notifyKeys = spec.properties.filter((p) => p.notifiable && !p.parameterOnly).map((p) => p.key);
    const desiredCase = plan.cases.find((c) => c.kind === 'desired');
    const desiredOut: CheckOutcome = { reasons: [], measured: {} };
    phaseStart = Date.now();
    if (!aborted()) {
      begin(...plan.cases.filter((c) => c.kind === 'reconnect' || c.kind === 'desired'));
      for (let i = 0; i < 2; i++) {
        session.currentCase = 'desired.after-reconnect';
        const delivery = i === 1 && desiredCase !== undefined ? deliverOnReturn(ctx, desiredOut) : undefined;
        const cycle = await reconnectCycle(ctx, delivery?.held);
        cycles.push(cycle);
        if (cycle.onlineAt !== undefined) {
          const got = await reportsAfter(
            ctx,
            notifyKeys,
            cycle.onlineAt,
            cycle.onlineAt + plan.budgets.reportMs,
          );
          const missing = notifyKeys.filter((k) => !got.has(k));
          rereport.measured[`cycle${i + 1}ReportMs`] = Math.max(0, ...got.values());
          if (missing.length > 0)
            rereport.reasons.push(
              `cycle ${i + 1}: not re-reported within ${plan.budgets.reportMs} ms: ${missing.join(', ')}`,
            );
        } else rereport.reasons.push(`cycle ${i + 1}: ${cycle.problem}`);
        await delivery?.done;
      }
    }
    if (!aborted() && needsAnotherCycle(cycles)) {
      session.currentCase = 'reconnect.jitter';
      cycles.push(await reconnectCycle(ctx));
    }
    const cycleEvidence = session.take();
    const withEvidence = (id: string, out: CheckOutcome) => {
      const c = pending.get(id);
      if (c === undefined) return;
      session.collectFrom(cycleEvidence.messages);
      finish(c, phaseStart, out);
    };
    withEvidence('reconnect.backoff', judgeBackoff(cycles, plan.budgets.withheldConnacks));
    withEvidence('reconnect.jitter', judgeJitter(cycles));
    withEvidence('reconnect.rereport', rereport);
    if (desiredCase !== undefined) withEvidence(desiredCase.id, desiredOut);

    // 4. A command answered twice fails the case that sent it.
    await settle();
    for (const [commandId, replies] of session.replies) {
      if (replies.length < 2) continue;
      const caseId = session.commandCase.get(commandId);
      const result = caseId === undefined ? undefined : byId.get(caseId);
      if (result === undefined) continue;
      byId.set(result.id, {
        ...result,
        verdict: 'fail',
        reasons: [
          ...result.reasons,
          `answered command ${commandId} ${replies.length} times (once is the rule)`,
        ],
      });
    }
    for (const c of pending.values()) fail(c, aborted() ? 'the run was cancelled' : 'not run');
    return done();
  } finally {
    session.close();
  }

  async function updatePhase(): Promise<void> {
    const updates = plan.cases.filter((c) => c.kind === 'update');
    if (updates.length === 0) return;
    const uctx: UpdateContext | undefined = input.update && { ...ctx, ...input.update };
    const online =
      session.online || (await session.waitFor('online', plan.budgets.reconnectMs, (at) => at)) !== undefined;
    const blocked =
      uctx === undefined
        ? 'no firmware package was given for the update cases'
        : !online
          ? 'the device was offline'
          : await updateBlocker(uctx);
    for (const c of updates) {
      if (aborted()) return;
      session.currentCase = c.id;
      if (blocked !== undefined || uctx === undefined) fail(c, blocked ?? 'not run');
      else {
        begin(c);
        const startedAt = Date.now();
        finish(c, startedAt, await checkUpdate(uctx, c));
      }
    }
  }

  function done(): RunOutcome {
    return {
      results: plan.cases.map((c) => byId.get(c.id) as CaseResult),
      firmwareRevision: session.firmware,
      durationMs: Date.now() - session.startedAt,
    };
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, DUPLICATE_SETTLE_MS));
}

/** The run's first connect: close the device's connection (if any) and wait for it to come back. */
async function reconnectCycleWithoutHold(
  ctx: CheckContext,
): Promise<{ onlineAt: number | undefined; problem?: string }> {
  const { session, link, budgets } = ctx;
  const back = session.waitFor('online', budgets.reconnectMs, (at) => at);
  if (session.online) {
    session.note('connect', 'hub closes the connection to start from a fresh connect');
    link.disconnect(session.deviceId);
  }
  const onlineAt = await back;
  return onlineAt === undefined
    ? { onlineAt, problem: `the device did not connect within ${budgets.reconnectMs} ms` }
    : { onlineAt };
}

/**
 * The desired-state case: while the device is held offline, a value it does not hold becomes
 * desired; when it subscribes to `dev/{did}/cmd` again it gets it as a `set`, as the hub delivers
 * desired state (docs/protocol.md, "Desired state"), and must apply and report it.
 */
function deliverOnReturn(ctx: CheckContext, out: CheckOutcome): { held: () => void; done: Promise<void> } {
  const { session, spec, budgets } = ctx;
  const prop = desiredProperty(spec);
  let release: () => void = () => undefined;
  const heldPromise = new Promise<void>((resolve) => {
    release = resolve;
  });
  const done = (async () => {
    await heldPromise;
    if (prop === undefined) return;
    const current = session.known.get(prop.key);
    const value = sweepValues(prop).find((v) => current === undefined || !sameValue(v.value, current))?.value;
    out.measured['value'] = JSON.stringify(value);
    session.note('desired', `desired while offline: ${prop.key} = ${JSON.stringify(value)}`);
    const cmdTopic = `dev/${session.deviceId}/cmd`;
    const subscribed = await session.waitFor('subscribed', budgets.reconnectMs, (filters, at) =>
      filters.includes(cmdTopic) ? at : undefined,
    );
    if (subscribed === undefined) {
      out.reasons.push(`did not subscribe to ${cmdTopic} within ${budgets.reconnectMs} ms`);
      return;
    }
    const sentAt = Date.now();
    const reflected = session.waitFor('report', budgets.replyMs, (r) =>
      r.values?.has(prop.key) && sameValue(r.values.get(prop.key), value) ? r : undefined,
    );
    const answer = await command(ctx, (id) => setCommand(spec, id, prop.key, value));
    out.measured['replyMs'] = answer.latencyMs;
    if (answer.reply === undefined) out.reasons.push(`no reply within ${budgets.replyMs} ms`);
    else if (answer.reply.body['status'] !== 'ok')
      out.reasons.push(`answered ${String(answer.reply.body['status'])}`);
    const report = await reflected;
    out.measured['reportMs'] = report === undefined ? null : report.at - sentAt;
    if (report === undefined)
      out.reasons.push(
        `no accepted report of ${prop.key} = ${JSON.stringify(value)} within ${budgets.replyMs} ms`,
      );
  })();
  return { held: release, done };
}
