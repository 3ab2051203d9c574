import type { CompiledSpec } from '../registry/spec/index.js';
import { UNKNOWN_ACTION, UNKNOWN_ACTION_IID, UNKNOWN_PROPERTY, UNKNOWN_PROPERTY_IID } from './plan.js';

/**
 * Commands as the hub sends them on `dev/{did}/cmd` (docs/protocol.md), by names or by iids as the
 * model's addressing says, but built raw: the harness sends values the hub would never let through.
 */
type Ref = string | { siid: number; piid: number };

function propertyRef(spec: CompiledSpec, key: string): Ref {
  if (spec.addressing !== 'iid') return key;
  if (key === UNKNOWN_PROPERTY) return { ...UNKNOWN_PROPERTY_IID };
  const prop = spec.property(key);
  return prop === undefined ? key : { siid: prop.siid, piid: prop.piid };
}

export function setCommand(
  spec: CompiledSpec,
  id: string,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const ref = propertyRef(spec, key);
  return typeof ref === 'string'
    ? { id, op: 'set', props: { [ref]: value } }
    : { id, op: 'set', props: [{ ...ref, value }] };
}

export function getCommand(spec: CompiledSpec, id: string, key: string): Record<string, unknown> {
  return { id, op: 'get', props: [propertyRef(spec, key)] };
}

export function actionCommand(
  spec: CompiledSpec,
  id: string,
  key: string,
  input: ReadonlyArray<{ piid: number; value: unknown }>,
): Record<string, unknown> {
  if (spec.addressing === 'iid') {
    const action = spec.action(key);
    const iid = action === undefined ? UNKNOWN_ACTION_IID : { siid: action.siid, aiid: action.aiid };
    return { id, op: 'action', ...iid, in: input };
  }
  return { id, op: 'action', action: key === UNKNOWN_ACTION ? UNKNOWN_ACTION : key, in: input };
}

/** The value of `key` in a get answer's `data.props`: `{name: value}` or `[{siid, piid, value}]`. */
export function valueInGetAnswer(
  spec: CompiledSpec,
  key: string,
  props: unknown,
): { found: boolean; value: unknown } {
  const prop = spec.property(key);
  if (Array.isArray(props)) {
    for (const entry of props) {
      if (typeof entry !== 'object' || entry === null) continue;
      const e = entry as Record<string, unknown>;
      if (prop !== undefined && e['siid'] === prop.siid && e['piid'] === prop.piid)
        return { found: true, value: e['value'] };
    }
    return { found: false, value: undefined };
  }
  if (typeof props === 'object' && props !== null) {
    const record = props as Record<string, unknown>;
    for (const ref of [key, prop?.iidKey]) {
      if (ref !== undefined && Object.hasOwn(record, ref)) return { found: true, value: record[ref] };
    }
  }
  return { found: false, value: undefined };
}

/** Values as JSON compares them (floats within 1e-9): what was written is what is reported. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  return JSON.stringify(a) === JSON.stringify(b);
}
