import type { ModelSpec, ServiceSpec } from '../../../../src/registry/spec/index.js';
import { lightProperty, lightService } from '../fixtures.js';
import { type BreakingCase, LIGHT, P, type PassingCase } from './case.js';

/** What real MIoT-Spec-V2 instances need: types, 64-bit integers, hex, parameter-only properties, repeats. */

const LIGHT_TYPE = 'urn:miot-spec-v2:service:light:00007802:acme-t1:1';
const ON_TYPE = 'urn:miot-spec-v2:property:on:00000006:acme-t1:1';

/** A copy of the light service as a second instance of the light type. */
function secondLight(s: ModelSpec, iid: number): ServiceSpec {
  const copy = structuredClone(lightService(s));
  return { ...copy, iid, name: `light-${iid}`, type: LIGHT_TYPE };
}

export const miotBreakingCases: BreakingCase[] = [
  // Q002 with types: every instance of a required service type meets its requirements
  {
    rule: 'Q002',
    what: 'a second light instance whose on is read-only',
    edit: (s) => {
      const second = secondLight(s, 3);
      second.properties[0]!.access = ['read', 'notify'];
      s.services.push(second);
    },
    paths: ['/services/2/properties/0/access'],
  },
  {
    rule: 'Q002',
    what: 'a light service of a vendor type does not count as the light service',
    edit: (s) => {
      lightService(s).type = 'urn:acme-spec:service:light:00000001:acme-t1:1';
    },
    paths: ['/services'],
  },
  {
    rule: 'Q002',
    what: 'a stated unit other than the one a unitOptional requirement names',
    edit: (s) => {
      s.category = 'air-purifier';
      s.model = 'acme.air-purifier.t1';
      lightService(s).name = 'air-purifier';
      lightProperty(s, 1).name = 'mode';
      delete lightProperty(s, 1).unit;
      s.services.push({
        iid: 3,
        name: 'environment',
        description: '',
        properties: [
          {
            iid: 1,
            name: 'pm25-density',
            description: '',
            format: 'uint16',
            access: ['read', 'notify'],
            unit: 'mg/m3',
            range: [0, 1000, 1],
          },
        ],
        actions: [],
        events: [],
      });
    },
    paths: ['/services/2/properties/0/unit'],
  },
  // Q015/Q016/Q017 on 64-bit formats
  {
    rule: 'Q016',
    what: 'an int64 bound beyond 2^53 written as a number, a safe one as a string, a string on uint32',
    edit: (s) => {
      const brightness = lightProperty(s, 1);
      brightness.format = 'int64';
      brightness.range = [-1, 10_000_000_000_000_000, '5'];
      lightProperty(s, 2).format = 'uint32';
      lightProperty(s, 2).range = [0, '4294967295', 1];
    },
    paths: [`${P(1)}/range/1`, `${P(1)}/range/2`, `${P(2)}/range/1`],
  },
  {
    rule: 'Q016',
    what: 'a uint64 max beyond 2^64 - 1',
    edit: (s) => {
      const brightness = lightProperty(s, 1);
      brightness.format = 'uint64';
      brightness.range = [0, '18446744073709551616', 1];
    },
    paths: [`${P(1)}/range/1`],
  },
  {
    rule: 'Q015',
    what: 'int64 min above max, compared exactly',
    edit: (s) => {
      const brightness = lightProperty(s, 1);
      brightness.format = 'int64';
      brightness.range = ['9007199254740993', '9007199254740992', 1];
    },
    paths: [`${P(1)}/range`],
  },
  {
    rule: 'Q017',
    what: 'a uint64 span that is not a multiple of the step',
    edit: (s) => {
      lightService(s).properties.push({
        iid: 6,
        name: 'counter',
        description: 'Test.',
        format: 'uint64',
        access: ['read'],
        unit: 'none',
        range: [0, '18446744073709551615', 2],
      });
    },
    paths: [`${P(5)}/range`],
  },
  // Q018: enum values stay within the JSON-safe range, whatever the format
  {
    rule: 'Q018',
    what: 'an int64 enum value beyond 2^53',
    edit: (s) => {
      const fault = lightProperty(s, 3);
      fault.format = 'int64';
      fault.enum = [
        { value: 0, description: 'No fault' },
        { value: 2 ** 60, description: 'Huge' },
      ];
    },
    paths: [`${P(3)}/enum/1/value`],
  },
  // Q019/Q020 on hex
  {
    rule: 'Q020',
    what: 'a hex property without maxLength',
    edit: (s) => {
      lightProperty(s, 4).format = 'hex';
      delete lightProperty(s, 4).maxLength;
    },
    paths: [P(4)],
  },
  // Q023 type URNs
  {
    rule: 'Q023',
    what: 'malformed URNs, a namespace that is not *-spec, a kind for another level',
    edit: (s) => {
      s.type = 'urn:miot-spec-v2:device:light';
      lightService(s).type = 'urn:acme:service:light:00007802';
      lightProperty(s, 0).type = 'urn:miot-spec-v2:service:light:00007802';
      lightService(s).actions[0]!.type = 'urn:miot-spec-v2:action:toggle:2811';
      lightService(s).events[0]!.type = 'light';
    },
    paths: ['/type', `${LIGHT}/type`, `${P(0)}/type`, `${LIGHT}/actions/0/type`, `${LIGHT}/events/0/type`],
  },
  // Q024 device type and category
  {
    rule: 'Q024',
    what: 'an outlet device type on a light',
    edit: (s) => {
      s.type = 'urn:miot-spec-v2:device:outlet:0000A002:acme-t1:1';
    },
    paths: ['/type'],
  },
  // Q025 parameter-only properties
  {
    rule: 'Q025',
    what: 'a property with no access that no action or event uses',
    edit: (s) => {
      lightProperty(s, 4).access = [];
    },
    paths: [P(4)],
  },
];

export const miotPassingCases: PassingCase[] = [
  {
    rule: 'Q002',
    what: 'three instances of the light type, named by siid, each complete',
    edit: (s) => {
      lightService(s).type = LIGHT_TYPE;
      lightService(s).name = 'light-2';
      lightProperty(s, 0).type = ON_TYPE;
      s.services.push(secondLight(s, 3), secondLight(s, 4));
    },
  },
  {
    rule: 'Q002',
    what: 'a repeated property type where one instance meets the requirement',
    edit: (s) => {
      lightProperty(s, 0).type = ON_TYPE;
      lightService(s).properties.push({
        iid: 6,
        name: 'on-6',
        type: ON_TYPE,
        description: 'Night light on.',
        format: 'bool',
        access: ['read'],
      });
    },
  },
  {
    rule: 'Q002',
    what: 'a unitOptional requirement with the unit left as none',
    edit: (s) => {
      s.category = 'plug';
      s.model = 'acme.plug.t1';
      lightService(s).name = 'switch';
      lightProperty(s, 1).name = 'power-consumption';
      s.services.push({ ...structuredClone(lightService(s)), iid: 3, name: 'power-consumption' });
      const metered = s.services[2]!.properties[1]!;
      metered.format = 'uint16';
      metered.unit = 'none';
      metered.access = ['read', 'notify'];
    },
  },
  {
    rule: 'Q008',
    what: 'iid 0 at every level',
    edit: (s) => {
      lightService(s).iid = 0;
      lightProperty(s, 3).iid = 0;
      lightService(s).events[0]!.arguments = [0];
      lightService(s).actions[0]!.iid = 0;
    },
  },
  {
    rule: 'Q016',
    what: 'the full int64 and uint64 ranges, decimal strings beyond 2^53',
    edit: (s) => {
      const base = { description: 'Test.', access: ['read' as const], unit: 'none' };
      lightService(s).properties.push(
        {
          ...base,
          iid: 6,
          name: 'ticks',
          format: 'int64',
          range: ['-9223372036854775808', '9223372036854775807', 1],
        },
        { ...base, iid: 7, name: 'counter', format: 'uint64', range: [0, '18446744073709551615', 1] },
        { ...base, iid: 8, name: 'robot-time', format: 'int64', range: [0, '10000000000000000', 1] },
      );
    },
  },
  {
    rule: 'Q019',
    what: 'maxLength on hex',
    edit: (s) => {
      lightProperty(s, 4).format = 'hex';
    },
  },
  {
    rule: 'Q023',
    what: 'standard and vendor types, with and without product and version',
    edit: (s) => {
      s.type = 'urn:miot-spec-v2:device:light:0000A001:acme-t1:2:0000C802';
      lightService(s).type = LIGHT_TYPE;
      lightProperty(s, 0).type = 'urn:miot-spec-v2:property:on:00000006';
      lightProperty(s, 4).type = 'urn:acme-spec:property:label:00000001:acme-t1:1';
      lightService(s).actions[0]!.type = 'urn:miot-spec-v2:action:toggle:00002811:acme-t1:1';
    },
  },
  {
    rule: 'Q025',
    what: 'parameter-only properties used as an action input and an event argument',
    edit: (s) => {
      lightProperty(s, 4).access = [];
      lightService(s).actions[0]!.in = [5];
      lightProperty(s, 3).access = [];
    },
  },
];
