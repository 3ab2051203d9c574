import { type CompiledProperty, checkArguments, checkPropertyValue } from '../src/registry/spec/index.js';
import type { Prng } from './prng.js';
import type { DeviceState } from './state.js';
import { randomValue } from './values.js';

/**
 * Command handling as good firmware does it (docs/protocol.md, "Commands"): parse, check against
 * the spec, apply, answer with one envelope. Pure apart from the state it changes, so tests can
 * drive it without a broker.
 */

/** Codes from the hub's error table (docs/api.md) a device uses to refuse a command. */
export type ReplyErrorCode =
  | 'VALUE_INVALID'
  | 'PROPERTY_UNKNOWN'
  | 'PROPERTY_NOT_WRITABLE'
  | 'PROPERTY_NOT_READABLE'
  | 'ACTION_UNKNOWN'
  | 'ACTION_ARGUMENTS_INVALID'
  | 'VALIDATION_FAILED'
  | 'INTERNAL';

export type CommandReply =
  | { readonly id: string | number; readonly status: 'ok'; readonly data: Record<string, unknown> }
  | {
      readonly id: string | number;
      readonly status: 'error';
      readonly error: { readonly code: ReplyErrorCode; readonly message: string };
    };

export type CommandOp = 'set' | 'get' | 'action';

export interface CommandOutcome {
  /** Undefined when the command has no usable `id`: nothing can be answered. */
  readonly reply: CommandReply | undefined;
  readonly op: CommandOp | undefined;
  /** Properties whose values the command set; the notify ones are reported right away. */
  readonly changed: readonly CompiledProperty[];
  /** Why a command could not even be answered (not JSON, no id). */
  readonly problem?: string;
}

const NOTHING: readonly CompiledProperty[] = [];

/** Bad-firmware switches that change how commands are handled (faults.ts). */
export interface CommandFaults {
  readonly wrongCodes?: boolean | undefined;
  readonly acceptInvalid?: boolean | undefined;
}

export function executeCommand(
  state: DeviceState,
  rng: Prng,
  payload: Buffer | string,
  faults: CommandFaults = {},
): CommandOutcome {
  const outcome = runCommand(state, rng, payload, faults);
  const reply = outcome.reply;
  if (faults.wrongCodes === true && reply?.status === 'error') {
    return { ...outcome, reply: { ...reply, error: { code: 'INTERNAL', message: reply.error.message } } };
  }
  return outcome;
}

function runCommand(
  state: DeviceState,
  rng: Prng,
  payload: Buffer | string,
  faults: CommandFaults,
): CommandOutcome {
  let command: unknown;
  try {
    command = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return { reply: undefined, op: undefined, changed: NOTHING, problem: 'command is not JSON' };
  }
  if (!isRecord(command)) {
    return { reply: undefined, op: undefined, changed: NOTHING, problem: 'command is not an object' };
  }
  const id = command['id'];
  if (typeof id !== 'string' && typeof id !== 'number') {
    return { reply: undefined, op: undefined, changed: NOTHING, problem: 'command has no id' };
  }
  switch (command['op']) {
    case 'set':
      return runSet(state, id, command['props'], faults.acceptInvalid === true);
    case 'get':
      return runGet(state, id, command['props']);
    case 'action':
      return runAction(state, rng, id, actionRef(command), command['in'] ?? []);
    default:
      return refuse(id, undefined, 'VALIDATION_FAILED', `unknown op ${JSON.stringify(command['op'])}`);
  }
}

/**
 * A property reference as the hub sends it: a name or `siid.piid` string, or, for a model addressed
 * by iid (docs/protocol.md), an object `{siid, piid}`.
 */
function resolveProperty(state: DeviceState, ref: unknown): CompiledProperty | undefined {
  if (typeof ref === 'string') return state.spec.property(ref);
  if (!isRecord(ref) || typeof ref['siid'] !== 'number' || typeof ref['piid'] !== 'number') return undefined;
  return state.spec.propertyByIid(ref['siid'], ref['piid']);
}

function describeRef(ref: unknown): string {
  return typeof ref === 'string' ? ref : JSON.stringify(ref);
}

/** `set` props: `{ref: value}` by names, or `[{siid, piid, value}]` by iids. */
function setEntries(props: unknown): Array<[unknown, unknown]> | undefined {
  if (Array.isArray(props)) {
    return props.every(isRecord) ? props.map((entry) => [entry, entry['value']]) : undefined;
  }
  return isRecord(props) ? Object.entries(props) : undefined;
}

function runSet(state: DeviceState, id: string | number, props: unknown, unchecked: boolean): CommandOutcome {
  const entries = setEntries(props);
  if (entries === undefined || entries.length === 0) {
    return refuse(
      id,
      'set',
      'VALIDATION_FAILED',
      'set needs non-empty props: {name: value} or [{siid, piid, value}]',
    );
  }
  const accepted: Array<[CompiledProperty, unknown]> = [];
  for (const [ref, value] of entries) {
    const prop = resolveProperty(state, ref);
    if (prop === undefined) return refuse(id, 'set', 'PROPERTY_UNKNOWN', `no property ${describeRef(ref)}`);
    if (!prop.writable) return refuse(id, 'set', 'PROPERTY_NOT_WRITABLE', `${prop.key} is not writable`);
    const problem = unchecked ? undefined : checkPropertyValue(prop, value);
    if (problem !== undefined) return refuse(id, 'set', 'VALUE_INVALID', problem.message);
    accepted.push([prop, value]);
  }
  // All or nothing: values are applied only once every one of them passed.
  for (const [prop, value] of accepted) state.set(prop, value);
  return { reply: { id, status: 'ok', data: {} }, op: 'set', changed: accepted.map(([prop]) => prop) };
}

/** Answers in the form asked: names give `{name: value}`, iids give `[{siid, piid, value}]`. */
function runGet(state: DeviceState, id: string | number, refs: unknown): CommandOutcome {
  if (!Array.isArray(refs) || refs.length === 0) {
    return refuse(
      id,
      'get',
      'VALIDATION_FAILED',
      'get needs a non-empty props array of names or {siid, piid}',
    );
  }
  const byName: Record<string, unknown> = {};
  const byIid: Array<{ siid: number; piid: number; value: unknown }> = [];
  for (const ref of refs as unknown[]) {
    const prop = resolveProperty(state, ref);
    if (prop === undefined) return refuse(id, 'get', 'PROPERTY_UNKNOWN', `no property ${describeRef(ref)}`);
    if (!prop.readable) return refuse(id, 'get', 'PROPERTY_NOT_READABLE', `${prop.key} is not readable`);
    if (typeof ref === 'string') byName[ref] = state.get(prop);
    else byIid.push({ siid: prop.siid, piid: prop.piid, value: state.get(prop) });
  }
  const props = byIid.length > 0 ? byIid : byName;
  return { reply: { id, status: 'ok', data: { props } }, op: 'get', changed: NOTHING };
}

/** The action a command names: `action` (a name or `siid.aiid`), or `siid` and `aiid`. */
function actionRef(command: Record<string, unknown>): unknown {
  const { siid, aiid } = command;
  return typeof siid === 'number' && typeof aiid === 'number' ? { siid, aiid } : command['action'];
}

function runAction(
  state: DeviceState,
  rng: Prng,
  id: string | number,
  ref: unknown,
  input: unknown,
): CommandOutcome {
  const action =
    typeof ref === 'string'
      ? state.spec.action(ref)
      : isRecord(ref) && typeof ref['siid'] === 'number' && typeof ref['aiid'] === 'number'
        ? state.spec.actionByIid(ref['siid'], ref['aiid'])
        : undefined;
  if (action === undefined) return refuse(id, 'action', 'ACTION_UNKNOWN', `no action ${describeRef(ref)}`);
  const piids = action.in.map((p) => p.piid);
  const problems = checkArguments(state.spec, action.siid, piids, input);
  if (problems.length > 0) {
    const message = problems
      .slice(0, 3)
      .map((p) => p.message)
      .join('; ');
    return refuse(id, 'action', 'ACTION_ARGUMENTS_INVALID', message);
  }
  const changed: CompiledProperty[] = [];
  // Inputs are property-typed parameters; storing them makes e.g. move-to(target-position) stick.
  for (const entry of input as Array<{ piid: number; value: unknown }>) {
    const prop = state.spec.propertyByIid(action.siid, entry.piid);
    if (prop === undefined) continue;
    state.set(prop, entry.value);
    changed.push(prop);
  }
  // MIoT convention: `toggle` without inputs flips its service's `on`.
  const on =
    action.name === 'toggle' && action.in.length === 0
      ? state.spec.property(`${action.service}.on`)
      : undefined;
  if (on !== undefined && on.kind === 'bool') {
    state.set(on, state.get(on) !== true);
    changed.push(on);
  }
  const out = action.out.map((prop) => {
    const value = randomValue(prop, rng);
    state.set(prop, value);
    changed.push(prop);
    return { piid: prop.piid, value };
  });
  return { reply: { id, status: 'ok', data: { out } }, op: 'action', changed };
}

function refuse(
  id: string | number,
  op: CommandOp | undefined,
  code: ReplyErrorCode,
  message: string,
): CommandOutcome {
  return { reply: { id, status: 'error', error: { code, message } }, op, changed: NOTHING };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
