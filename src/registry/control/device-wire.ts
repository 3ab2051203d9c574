import type { CompiledSpec } from '../spec/index.js';
import type { DeviceCommand } from './command-schema.js';
import type { ValidatedCommand } from './command-validation.js';

/**
 * Commands in the form the device's model declares (docs/protocol.md, "Addressing by iid"): a model
 * with `"addressing": "iid"` speaks MIoT's siid/piid/aiid, like `set_properties`, `get_properties`
 * and `action` of real MIoT firmware; every other model speaks `service.property` names. Phones see
 * names either way: a device's iid-form `get` answer is translated back before it reaches them.
 */
export function toDeviceCommand(spec: CompiledSpec, id: string, valid: ValidatedCommand): DeviceCommand {
  if (spec.addressing !== 'iid') return { id, ...valid } as DeviceCommand;
  switch (valid.op) {
    case 'set':
      return {
        id,
        op: 'set',
        props: Object.entries(valid.props).map(([key, value]) => ({ ...iidsOf(spec, key), value })),
      };
    case 'get':
      return { id, op: 'get', props: valid.props.map((key) => iidsOf(spec, key)) };
    case 'action': {
      const action = spec.action(valid.action);
      if (action === undefined) throw new Error(`validated action ${valid.action} is not in the spec`);
      return { id, op: 'action', siid: action.siid, aiid: action.aiid, in: valid.in };
    }
  }
}

/** `{siid, piid}` of a property key that validation has already resolved. */
function iidsOf(spec: CompiledSpec, key: string): { siid: number; piid: number } {
  const prop = spec.property(key);
  if (prop === undefined) throw new Error(`validated property ${key} is not in the spec`);
  return { siid: prop.siid, piid: prop.piid };
}

/**
 * A device's `ok` data as the phone sees it: an iid-form `get` answer (`props` as a list of
 * `{siid, piid, value}`) becomes `props` keyed `service.property`; anything else passes unchanged.
 */
export function replyDataForPhone(spec: CompiledSpec, op: ValidatedCommand['op'], data: unknown): unknown {
  if (op !== 'get' || typeof data !== 'object' || data === null || !('props' in data)) return data;
  const list = data.props;
  if (!Array.isArray(list)) return data;
  const props: Record<string, unknown> = {};
  for (const entry of list as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { siid, piid, value } = entry as { siid?: unknown; piid?: unknown; value?: unknown };
    if (typeof siid !== 'number' || typeof piid !== 'number') continue;
    const prop = spec.propertyByIid(siid, piid);
    props[prop === undefined ? `${siid}.${piid}` : prop.key] = value;
  }
  return { ...data, props };
}
