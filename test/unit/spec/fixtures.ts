import type { ModelSpec, PropertySpec, ServiceSpec } from '../../../src/registry/spec/index.js';

/**
 * A small valid light model that passes every rule with no warning. Each call returns a fresh copy,
 * so a test can break one thing and know that is the only thing wrong.
 *
 * services/0 = device-information (siid 1), services/1 = light (siid 2):
 *   properties/0 on, /1 brightness, /2 color-temperature, /3 fault (enum), /4 label (string)
 */
export function validLight(): ModelSpec {
  const deviceInformation: ServiceSpec = {
    iid: 1,
    name: 'device-information',
    description: 'Device identity.',
    properties: [
      stringProperty(1, 'manufacturer'),
      stringProperty(2, 'model'),
      stringProperty(3, 'serial-number'),
      stringProperty(4, 'firmware-revision'),
    ],
    actions: [],
    events: [],
  };
  const light: ServiceSpec = {
    iid: 2,
    name: 'light',
    description: 'The light source.',
    properties: [
      { iid: 1, name: 'on', description: 'On or off.', format: 'bool', access: ['read', 'write', 'notify'] },
      {
        iid: 2,
        name: 'brightness',
        description: 'Brightness.',
        format: 'uint8',
        access: ['read', 'write', 'notify'],
        unit: 'percentage',
        range: [1, 100, 1],
      },
      {
        iid: 3,
        name: 'color-temperature',
        description: 'White colour temperature.',
        format: 'uint16',
        access: ['read', 'write', 'notify'],
        unit: 'kelvin',
        range: [2700, 6500, 1],
      },
      {
        iid: 4,
        name: 'fault',
        description: 'Current fault.',
        format: 'uint8',
        access: ['read', 'notify'],
        enum: [
          { value: 0, description: 'No fault' },
          { value: 1, description: 'Overheated' },
        ],
      },
      stringProperty(5, 'label'),
    ],
    actions: [{ iid: 1, name: 'toggle', description: 'Flips on.', in: [], out: [] }],
    events: [{ iid: 1, name: 'fault-occurred', description: 'A fault.', arguments: [4] }],
  };
  return {
    model: 'acme.light.t1',
    specVersion: 1,
    name: { en: 'Acme Test Light', 'zh-CN': 'Acme 测试灯' },
    category: 'light',
    assets: { icon: 'icons/t1.png', shortName: 'Light T1' },
    services: [deviceInformation, light],
  };
}

function stringProperty(iid: number, name: string): PropertySpec {
  return { iid, name, description: name, format: 'string', access: ['read'], maxLength: 64 };
}

/** The light service of `validLight()`, for tests that edit it. */
export function lightService(spec: ModelSpec): ServiceSpec {
  return spec.services[1]!;
}

/** A property of the light service by index (see the table above). */
export function lightProperty(spec: ModelSpec, index: number): PropertySpec {
  return lightService(spec).properties[index]!;
}

/** Loosens the type so schema tests can put wrong things in. */
export function asRecord(value: unknown): Record<string, unknown> {
  return value as Record<string, unknown>;
}
