import { createHash } from 'node:crypto';
import {
  type CompiledAction,
  type CompiledProperty,
  type CompiledSpec,
  compileSpec,
  type ModelSpec,
} from '../registry/spec/index.js';
import { canonicalJson } from './canonical.js';
import { invalidValues, sweepValues } from './values.js';

/**
 * The test plan of a model version, derived from its document and nothing else (issue 17): unlike a
 * hand-declared capability list (Matter's PICS), it cannot drift from what the model says. Adding a
 * property to the document adds its cases.
 */
export type CaseKind =
  | 'report'
  | 'read'
  | 'write'
  | 'invalid'
  | 'action'
  | 'reconnect'
  | 'desired'
  | 'update';

export interface PlanCase {
  /** Stable and unique within the plan, e.g. `write.light.brightness.max`. */
  readonly id: string;
  readonly kind: CaseKind;
  readonly title: string;
  /** `service.property` the case is about. */
  readonly property?: string;
  /** `service.action` the case is about. */
  readonly action?: string;
  /** The value sent (write, invalid, desired). */
  readonly value?: unknown;
  /** The action's `in` list, exactly as sent. */
  readonly input?: ReadonlyArray<{ piid: number; value: unknown }>;
  /** The error code the device must answer (invalid cases), or the OTA refusal reason (update cases). */
  readonly expectCode?: string;
}

export interface PlanBudgets {
  /** A command's reply, and a write's reflecting report, must arrive within this. */
  readonly replyMs: number;
  /** Every notify property must be reported within this after a connect. */
  readonly reportMs: number;
  /** CONNECTs closed without CONNACK in each of the two reconnect cycles. */
  readonly withheldConnacks: number;
  /** Longest wait for the device to come back in a reconnect cycle. */
  readonly reconnectMs: number;
  /** Longest an update case may take (offer to refusal, or to the new revision reported). */
  readonly updateMs: number;
}

/** The firmware package a run's update cases ship to the device (a ready package of the model). */
export interface PlanUpdate {
  readonly packageId: string;
  readonly version: string;
  readonly sha256: string;
  readonly size: number;
}

export const DEFAULT_BUDGETS: PlanBudgets = {
  replyMs: 1000,
  reportMs: 10_000,
  withheldConnacks: 5,
  reconnectMs: 120_000,
  updateMs: 300_000,
};

export interface TestPlan {
  readonly modelId: string;
  readonly version: number;
  /** SHA-256 of the canonical model document the plan was derived from. */
  readonly documentSha256: string;
  readonly addressing: 'name' | 'iid';
  readonly budgets: PlanBudgets;
  /** The package the update cases ship, when the run names one. */
  readonly update?: PlanUpdate;
  readonly cases: readonly PlanCase[];
}

/** A property no model has: the device must answer PROPERTY_UNKNOWN. */
export const UNKNOWN_PROPERTY = 'certification.no-such-property';
export const UNKNOWN_PROPERTY_IID = { siid: 65_000, piid: 65_000 } as const;
export const UNKNOWN_ACTION = 'certification.no-such-action';
export const UNKNOWN_ACTION_IID = { siid: 65_000, aiid: 65_000 } as const;

function isTestable(prop: CompiledProperty): boolean {
  return !prop.parameterOnly;
}

/** A valid `in` list: each input at a mid value of its sweep (the same every time). */
export function validInput(action: CompiledAction): Array<{ piid: number; value: unknown }> {
  return action.in.map((prop) => {
    const sweep = sweepValues(prop);
    return { piid: prop.piid, value: sweep[Math.floor(sweep.length / 2)]?.value ?? null };
  });
}

function invalidInput(action: CompiledAction): Array<{ piid: number; value: unknown }> | undefined {
  const valid = validInput(action);
  for (const [index, prop] of action.in.entries()) {
    const bad = invalidValues(prop)[0];
    if (bad !== undefined)
      return valid.map((entry, i) => (i === index ? { piid: entry.piid, value: bad.value } : entry));
  }
  // No input can be invalid by value (or there is none): an argument the action does not take.
  const unused = Math.max(0, ...action.in.map((p) => p.piid)) + 1000;
  return [...valid, { piid: unused, value: 1 }];
}

export function derivePlan(
  modelId: string,
  version: number,
  spec: ModelSpec,
  budgets = DEFAULT_BUDGETS,
  update?: PlanUpdate,
): TestPlan {
  const compiled: CompiledSpec = compileSpec(spec);
  const cases: PlanCase[] = [];
  const props = compiled.properties.filter(isTestable);

  for (const prop of props.filter((p) => p.notifiable)) {
    cases.push({
      id: `report.${prop.key}`,
      kind: 'report',
      property: prop.key,
      title: `reports ${prop.key} within ${budgets.reportMs} ms of connecting`,
    });
  }
  cases.push({
    id: 'report.device-information.firmware-revision',
    kind: 'report',
    property: 'device-information.firmware-revision',
    title: `announces its firmware revision within ${budgets.reportMs} ms of connecting`,
  });
  for (const prop of props.filter((p) => p.readable)) {
    cases.push({
      id: `read.${prop.key}`,
      kind: 'read',
      property: prop.key,
      title: `answers a get of ${prop.key}`,
    });
  }
  for (const prop of props.filter((p) => p.writable)) {
    for (const planned of sweepValues(prop)) {
      cases.push({
        id: `write.${prop.key}.${planned.label}`,
        kind: 'write',
        property: prop.key,
        value: planned.value,
        title: `applies ${prop.key} = ${JSON.stringify(planned.value)} and reflects it`,
      });
    }
  }
  for (const prop of props.filter((p) => p.writable)) {
    for (const planned of invalidValues(prop)) {
      cases.push({
        id: `invalid.${prop.key}.${planned.label}`,
        kind: 'invalid',
        property: prop.key,
        value: planned.value,
        expectCode: 'VALUE_INVALID',
        title: `refuses ${prop.key} = ${JSON.stringify(planned.value)} (${planned.label}) with VALUE_INVALID`,
      });
    }
  }
  for (const prop of props.filter((p) => !p.writable && p.service !== 'device-information')) {
    const value = sweepValues(prop)[0]?.value ?? null;
    cases.push({
      id: `invalid.${prop.key}.not-writable`,
      kind: 'invalid',
      property: prop.key,
      value,
      expectCode: 'PROPERTY_NOT_WRITABLE',
      title: `refuses a set of read-only ${prop.key} with PROPERTY_NOT_WRITABLE`,
    });
  }
  cases.push({
    id: 'invalid.unknown-property',
    kind: 'invalid',
    property: UNKNOWN_PROPERTY,
    value: 1,
    expectCode: 'PROPERTY_UNKNOWN',
    title: 'refuses a set of a property it does not have with PROPERTY_UNKNOWN',
  });
  for (const action of compiled.actions) {
    cases.push({
      id: `action.${action.key}.valid`,
      kind: 'action',
      action: action.key,
      input: validInput(action),
      title: `runs ${action.key} with valid arguments and answers its out arguments`,
    });
    const bad = invalidInput(action);
    if (bad !== undefined) {
      cases.push({
        id: `action.${action.key}.invalid`,
        kind: 'action',
        action: action.key,
        input: bad,
        expectCode: 'ACTION_ARGUMENTS_INVALID',
        title: `refuses ${action.key} with invalid arguments with ACTION_ARGUMENTS_INVALID`,
      });
    }
  }
  cases.push({
    id: 'action.unknown',
    kind: 'action',
    action: UNKNOWN_ACTION,
    input: [],
    expectCode: 'ACTION_UNKNOWN',
    title: 'refuses an action it does not have with ACTION_UNKNOWN',
  });
  const n = budgets.withheldConnacks;
  cases.push(
    {
      id: 'reconnect.backoff',
      kind: 'reconnect',
      title: `after a forced disconnect and ${n} withheld CONNACKs, retries with growing delays`,
    },
    {
      id: 'reconnect.jitter',
      kind: 'reconnect',
      title: 'retries at randomised moments: two reconnect cycles do not repeat the same delays',
    },
    {
      id: 'reconnect.rereport',
      kind: 'reconnect',
      title: `reports every notify property within ${budgets.reportMs} ms of each reconnect`,
    },
  );
  const desired = desiredProperty(compiled);
  if (desired !== undefined) {
    cases.push({
      id: 'desired.after-reconnect',
      kind: 'desired',
      property: desired.key,
      title: `applies a ${desired.key} value set while it was offline, delivered when it subscribes again`,
    });
  }
  if (update !== undefined) cases.push(...updateCases(update));
  return {
    modelId,
    version,
    documentSha256: createHash('sha256').update(canonicalJson(spec)).digest('hex'),
    addressing: compiled.addressing,
    budgets,
    ...(update !== undefined ? { update } : {}),
    cases,
  };
}

/** The desired-state case writes the first writable notify property (to a value it does not hold). */
export function desiredProperty(spec: CompiledSpec): CompiledProperty | undefined {
  return spec.properties.find(
    (p) => p.writable && p.notifiable && !p.parameterOnly && sweepValues(p).length > 1,
  );
}

/**
 * One update cycle (issue 17 with issue 14's OTA protocol, docs/ota.md), run first so every other
 * case runs on the new firmware: an offer whose signature does not verify, the genuine manifest with
 * tampered bytes behind its URL, then the genuine package, which must be installed and announced.
 */
function updateCases(update: PlanUpdate): PlanCase[] {
  return [
    {
      id: 'update.signature-invalid',
      kind: 'update',
      expectCode: 'signature-invalid',
      title: `refuses an offer of ${update.version} whose signature does not verify (rejected: signature-invalid)`,
    },
    {
      id: 'update.tampered',
      kind: 'update',
      expectCode: 'hash-mismatch',
      title: `refuses ${update.version} when the downloaded bytes do not match the signed SHA-256 (failed: hash-mismatch)`,
    },
    {
      id: 'update.install',
      kind: 'update',
      title: `downloads, verifies and installs ${update.version}, then reconnects and reports it as its firmware revision`,
    },
  ];
}
