import { type CompiledSpec, checkPropertyValue } from '../registry/spec/index.js';
import type { DeviceLink } from './device-link.js';
import type { PlanBudgets, PlanCase } from './plan.js';
import { type CheckOutcome, outcome } from './results.js';
import type { DeviceSession, ObservedReply } from './session.js';
import { actionCommand, getCommand, sameValue, setCommand, valueInGetAnswer } from './wire.js';

/** What every check works with: the device's traffic, the broker, the model and the budgets. */
export interface CheckContext {
  readonly session: DeviceSession;
  readonly link: DeviceLink;
  readonly spec: CompiledSpec;
  readonly budgets: PlanBudgets;
}

interface Answer {
  readonly reply: ObservedReply | undefined;
  readonly latencyMs: number | null;
  readonly sentAt: number;
}

/** Sends one command raw and waits for its reply within the budget. */
export async function command(
  ctx: CheckContext,
  build: (id: string) => Record<string, unknown>,
): Promise<Answer> {
  const { session } = ctx;
  const id = session.nextCommandId();
  const body = build(id);
  const waiting = session.waitFor('reply', ctx.budgets.replyMs, (replyId, reply) =>
    replyId === id ? reply : undefined,
  );
  const sentAt = Date.now();
  session.sent(`dev/${session.deviceId}/cmd`, body);
  await ctx.link.send(session.deviceId, body);
  const reply = await waiting;
  return { reply, latencyMs: reply === undefined ? null : reply.at - sentAt, sentAt };
}

function replyProblem(ctx: CheckContext, answer: Answer): string | undefined {
  if (answer.reply === undefined) return `no reply within ${ctx.budgets.replyMs} ms`;
  return undefined;
}

function errorCode(reply: ObservedReply): string | undefined {
  const error = reply.body['error'];
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as Record<string, unknown>)['code'];
  return typeof code === 'string' ? code : undefined;
}

function expectOk(ctx: CheckContext, answer: Answer, out: CheckOutcome): Record<string, unknown> | undefined {
  out.measured['replyMs'] = answer.latencyMs;
  const missing = replyProblem(ctx, answer);
  if (missing !== undefined) {
    out.reasons.push(missing);
    return undefined;
  }
  const body = answer.reply?.body ?? {};
  if (body['status'] !== 'ok') {
    out.reasons.push(
      `answered ${String(body['status'])} ${errorCode(answer.reply as ObservedReply) ?? ''}`.trim(),
    );
    return undefined;
  }
  const data = body['data'];
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : {};
}

/** A `get` of one property; the value when the device answered it. */
async function read(ctx: CheckContext, key: string): Promise<{ found: boolean; value: unknown }> {
  const answer = await command(ctx, (id) => getCommand(ctx.spec, id, key));
  const body = answer.reply?.body;
  if (body?.['status'] !== 'ok') return { found: false, value: undefined };
  const data = body['data'] as Record<string, unknown> | undefined;
  return valueInGetAnswer(ctx.spec, key, data?.['props']);
}

export async function checkRead(ctx: CheckContext, c: PlanCase): Promise<CheckOutcome> {
  const out = outcome();
  const key = c.property as string;
  const answer = await command(ctx, (id) => getCommand(ctx.spec, id, key));
  const data = expectOk(ctx, answer, out);
  if (data === undefined) return out;
  const { found, value } = valueInGetAnswer(ctx.spec, key, data['props']);
  const prop = ctx.spec.property(key);
  if (!found) out.reasons.push(`the answer has no value for ${key}`);
  else if (prop !== undefined) {
    const problem = checkPropertyValue(prop, value);
    if (problem !== undefined) out.reasons.push(`answered an invalid value: ${problem.message}`);
    else ctx.session.known.set(key, value);
  }
  return out;
}

/** Waits until a report the hub accepts carries `key` = `value`, from `since` on, within the budget. */
function reflected(ctx: CheckContext, key: string, value: unknown, since: number) {
  return ctx.session.waitFor('report', ctx.budgets.replyMs - (Date.now() - since), (report) =>
    report.values?.has(key) && sameValue(report.values.get(key), value) ? report : undefined,
  );
}

export async function checkWrite(ctx: CheckContext, c: PlanCase): Promise<CheckOutcome> {
  const out = outcome();
  const key = c.property as string;
  const prop = ctx.spec.property(key);
  const sentAt = Date.now();
  const reflection = prop?.notifiable ? reflected(ctx, key, c.value, sentAt) : undefined;
  const answer = await command(ctx, (id) => setCommand(ctx.spec, id, key, c.value));
  const data = expectOk(ctx, answer, out);
  if (reflection !== undefined) {
    const report = await reflection;
    out.measured['reportMs'] = report === undefined ? null : report.at - sentAt;
    if (report === undefined)
      out.reasons.push(
        `no accepted report of ${key} = ${JSON.stringify(c.value)} within ${ctx.budgets.replyMs} ms`,
      );
  } else if (data !== undefined && prop?.readable) {
    const { found, value } = await read(ctx, key);
    if (!found || !sameValue(value, c.value))
      out.reasons.push(`a get afterwards answered ${JSON.stringify(value)}`);
  }
  // The device said it applied the value: that is its state now, reflected or not.
  if (data !== undefined) ctx.session.known.set(key, c.value);
  return out;
}

/** Did any report (accepted or not) since `since` carry `value` for the property? */
function rawReportCarries(raw: unknown, ctx: CheckContext, key: string, value: unknown): boolean {
  const prop = ctx.spec.property(key);
  if (Array.isArray(raw)) {
    return raw.some((e) => {
      const entry = e as Record<string, unknown>;
      return (
        prop !== undefined &&
        entry['siid'] === prop.siid &&
        entry['piid'] === prop.piid &&
        sameValue(entry['value'], value)
      );
    });
  }
  if (typeof raw !== 'object' || raw === null) return false;
  const record = raw as Record<string, unknown>;
  return [key, prop?.iidKey].some(
    (ref) => ref !== undefined && Object.hasOwn(record, ref) && sameValue(record[ref], value),
  );
}

export async function checkInvalid(ctx: CheckContext, c: PlanCase): Promise<CheckOutcome> {
  const out = outcome();
  const key = c.property as string;
  const prop = ctx.spec.property(key);
  const before = ctx.session.known.get(key);
  let spoiled = false;
  const watch = (report: { raw: unknown }) => {
    if (rawReportCarries(report.raw, ctx, key, c.value)) spoiled = true;
  };
  ctx.session.on('report', watch);
  try {
    const answer = await command(ctx, (id) => setCommand(ctx.spec, id, key, c.value));
    out.measured['replyMs'] = answer.latencyMs;
    const missing = replyProblem(ctx, answer);
    if (missing !== undefined) out.reasons.push(missing);
    else {
      const reply = answer.reply as ObservedReply;
      const code = errorCode(reply);
      out.measured['code'] = code ?? null;
      if (reply.body['status'] !== 'error')
        out.reasons.push(`accepted it (status ${String(reply.body['status'])})`);
      else if (code !== c.expectCode)
        out.reasons.push(`refused it with ${code ?? 'no code'}, not ${c.expectCode}`);
    }
    if (prop?.readable && c.expectCode !== 'PROPERTY_NOT_WRITABLE') {
      const now = await read(ctx, key);
      if (now.found && sameValue(now.value, c.value)) spoiled = true;
      else if (now.found && before !== undefined && !sameValue(now.value, before)) {
        out.reasons.push(`its state changed from ${JSON.stringify(before)} to ${JSON.stringify(now.value)}`);
      }
    }
  } finally {
    ctx.session.off('report', watch);
  }
  if (spoiled) {
    out.reasons.push(`it took the invalid value ${JSON.stringify(c.value)} into its state`);
    // Put the last valid value back, so one failure does not spill into the cases after it.
    if (before !== undefined) await command(ctx, (id) => setCommand(ctx.spec, id, key, before));
  }
  return out;
}

export async function checkAction(ctx: CheckContext, c: PlanCase): Promise<CheckOutcome> {
  const out = outcome();
  const key = c.action as string;
  const answer = await command(ctx, (id) => actionCommand(ctx.spec, id, key, c.input ?? []));
  if (c.expectCode !== undefined) {
    out.measured['replyMs'] = answer.latencyMs;
    const missing = replyProblem(ctx, answer);
    if (missing !== undefined) out.reasons.push(missing);
    else {
      const reply = answer.reply as ObservedReply;
      const code = errorCode(reply);
      out.measured['code'] = code ?? null;
      if (reply.body['status'] !== 'error') out.reasons.push('ran it instead of refusing it');
      else if (code !== c.expectCode)
        out.reasons.push(`refused it with ${code ?? 'no code'}, not ${c.expectCode}`);
    }
    return out;
  }
  const data = expectOk(ctx, answer, out);
  if (data === undefined) return out;
  const action = ctx.spec.action(key);
  const list = data['out'] ?? [];
  if (!Array.isArray(list)) {
    out.reasons.push('data.out is not a list');
    return out;
  }
  for (const param of action?.out ?? []) {
    const entry = list.find(
      (e) => typeof e === 'object' && e !== null && (e as Record<string, unknown>)['piid'] === param.piid,
    ) as Record<string, unknown> | undefined;
    if (entry === undefined) {
      out.reasons.push(`out argument ${param.key} (piid ${param.piid}) is missing`);
      continue;
    }
    const problem = checkPropertyValue(param, entry['value']);
    if (problem !== undefined) out.reasons.push(`out argument: ${problem.message}`);
  }
  return out;
}
