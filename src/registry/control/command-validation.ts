import { HubError } from '../../errors.js';
import { type CompiledSpec, checkArguments, checkPropertyValue } from '../spec/index.js';
import type { PhoneCommand } from './command-schema.js';

/** A command that passed validation, its references resolved to `service.name` keys. */
export type ValidatedCommand =
  | { op: 'set'; props: Record<string, unknown> }
  | { op: 'get'; props: string[] }
  | { op: 'action'; action: string; in: unknown[] };

/**
 * Checks a command against the device's spec before anything reaches the device: the property
 * exists and is writable (set) or readable (get), each value fits, the action exists and its
 * inputs fit. Refs may be names (`light.on`) or iids (`2.1`); the result holds names, which
 * device-wire.ts turns into the form the device's model speaks.
 */
export function validateCommand(
  spec: CompiledSpec,
  command: Pick<PhoneCommand, 'op'> & Record<string, unknown>,
): ValidatedCommand {
  if (command.op === 'set') {
    const props: Record<string, unknown> = {};
    for (const [ref, value] of Object.entries(command['props'] as Record<string, unknown>)) {
      const prop = spec.property(ref);
      if (!prop)
        throw new HubError('PROPERTY_UNKNOWN', `${ref} is not a property of ${spec.spec.model}`, {
          errors: [{ path: `/props/${ref}`, message: 'unknown property' }],
        });
      if (!prop.writable)
        throw new HubError('PROPERTY_NOT_WRITABLE', `${prop.key} cannot be written`, {
          errors: [{ path: `/props/${ref}`, message: 'not writable' }],
        });
      const problem = checkPropertyValue(prop, value);
      if (problem)
        throw new HubError('VALUE_INVALID', problem.message, {
          errors: [{ path: `/props/${ref}`, message: problem.message }],
        });
      props[prop.key] = value;
    }
    return { op: 'set', props };
  }
  if (command.op === 'get') {
    const props: string[] = [];
    for (const [i, ref] of (command['props'] as string[]).entries()) {
      const prop = spec.property(ref);
      if (!prop)
        throw new HubError('PROPERTY_UNKNOWN', `${ref} is not a property of ${spec.spec.model}`, {
          errors: [{ path: `/props/${i}`, message: 'unknown property' }],
        });
      if (!prop.readable)
        throw new HubError('PROPERTY_NOT_READABLE', `${prop.key} cannot be read`, {
          errors: [{ path: `/props/${i}`, message: 'not readable' }],
        });
      props.push(prop.key);
    }
    return { op: 'get', props };
  }
  const ref = String(command['action']);
  const action = spec.action(ref);
  if (!action)
    throw new HubError('ACTION_UNKNOWN', `${ref} is not an action of ${spec.spec.model}`, {
      errors: [{ path: '/action', message: 'unknown action' }],
    });
  const inputs = (command['in'] as unknown[] | undefined) ?? [];
  const problems = checkArguments(
    spec,
    action.siid,
    action.in.map((p) => p.piid),
    inputs,
  );
  if (problems.length > 0) {
    throw new HubError('ACTION_ARGUMENTS_INVALID', problems.map((p) => p.message).join('; '), {
      errors: problems.map((p) => ({ path: '/in', message: p.message })),
    });
  }
  return { op: 'action', action: action.key, in: inputs };
}

/** Property refs (names or iids) -> the property keys desired state is stored under. */
export function propertyKeys(spec: CompiledSpec, refs: readonly string[]): string[] {
  return refs.map((ref, i) => {
    const prop = spec.property(ref);
    if (!prop)
      throw new HubError('PROPERTY_UNKNOWN', `${ref} is not a property of ${spec.spec.model}`, {
        errors: [{ path: `/props/${i}`, message: 'unknown property' }],
      });
    return prop.key;
  });
}
