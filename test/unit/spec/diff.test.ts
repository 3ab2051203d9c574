import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  diffAddOnly,
  diffVariant,
  type ModelSpec,
  type SpecChange,
} from '../../../src/registry/spec/index.js';
import { lightProperty, lightService, validLight } from './fixtures.js';

interface DiffCase {
  readonly what: string;
  readonly edit: (next: ModelSpec) => void;
  readonly changes: ReadonlyArray<Pick<SpecChange, 'path' | 'kind'> & { message?: string }>;
}

const LIGHT = '/services/1';

const forbidden: DiffCase[] = [
  {
    what: 'removing a property',
    edit: (s) => void lightService(s).properties.splice(1, 1),
    changes: [
      {
        path: `${LIGHT}/properties/1`,
        kind: 'removed',
        message: 'property light.brightness (piid 2) was removed',
      },
    ],
  },
  {
    what: 'removing a service',
    edit: (s) => void s.services.splice(1, 1),
    changes: [{ path: LIGHT, kind: 'removed', message: 'service light (siid 2) was removed' }],
  },
  {
    what: 'removing an action and an event',
    edit: (s) => {
      lightService(s).actions = [];
      lightService(s).events = [];
    },
    changes: [
      { path: `${LIGHT}/actions/0`, kind: 'removed' },
      { path: `${LIGHT}/events/0`, kind: 'removed' },
    ],
  },
  {
    what: 'changing a format (widening too)',
    edit: (s) => {
      lightProperty(s, 1).format = 'uint16';
    },
    changes: [
      {
        path: `${LIGHT}/properties/1/format`,
        kind: 'changed',
        message: 'property light.brightness: format changed from uint8 to uint16',
      },
    ],
  },
  {
    what: 'changing a range',
    edit: (s) => {
      lightProperty(s, 1).range = [0, 100, 1];
    },
    changes: [
      {
        path: `${LIGHT}/properties/1/range`,
        kind: 'changed',
        message: 'property light.brightness: range changed from [1, 100, 1] to [0, 100, 1]',
      },
    ],
  },
  {
    what: 'changing access, unit, enum and maxLength',
    edit: (s) => {
      lightProperty(s, 0).access = ['read', 'write'];
      lightProperty(s, 2).unit = 'none';
      lightProperty(s, 3).enum?.push({ value: 2, description: 'Driver failure' });
      lightProperty(s, 4).maxLength = 128;
    },
    changes: [
      { path: `${LIGHT}/properties/0/access`, kind: 'changed' },
      { path: `${LIGHT}/properties/2/unit`, kind: 'changed' },
      { path: `${LIGHT}/properties/3/enum`, kind: 'changed' },
      { path: `${LIGHT}/properties/4/maxLength`, kind: 'changed' },
    ],
  },
  {
    what: 'renumbering a property (same name, new piid)',
    edit: (s) => {
      lightProperty(s, 4).iid = 9;
    },
    changes: [
      {
        path: `${LIGHT}/properties/4/iid`,
        kind: 'changed',
        message: 'property light.label: piid changed from 5 to 9',
      },
    ],
  },
  {
    what: 'renaming a piid (same piid, new name)',
    edit: (s) => {
      lightProperty(s, 4).name = 'title';
    },
    changes: [
      {
        path: `${LIGHT}/properties/4/name`,
        kind: 'changed',
        message: 'property light.label: piid 5 renamed from label to title',
      },
    ],
  },
  {
    what: 'renumbering a service',
    edit: (s) => {
      lightService(s).iid = 3;
    },
    changes: [{ path: `${LIGHT}/iid`, kind: 'changed', message: 'service light: siid changed from 2 to 3' }],
  },
  {
    what: 'changing action parameters and event arguments',
    edit: (s) => {
      lightService(s).actions[0]!.in = [2];
      lightService(s).events[0]!.arguments = [4, 1];
    },
    changes: [
      {
        path: `${LIGHT}/actions/0/in`,
        kind: 'changed',
        message: 'action light.toggle: in changed from [] to [2]',
      },
      { path: `${LIGHT}/events/0/arguments`, kind: 'changed' },
    ],
  },
  {
    what: 'changing the model id and category',
    edit: (s) => {
      s.model = 'acme.plug.t1';
      s.category = 'plug';
    },
    changes: [
      { path: '/model', kind: 'changed' },
      { path: '/category', kind: 'changed' },
    ],
  },
];

const allowed: DiffCase[] = [
  {
    what: 'adding a property',
    edit: (s) =>
      void lightService(s).properties.push({
        iid: 6,
        name: 'mode',
        description: '',
        format: 'uint8',
        access: ['read'],
        enum: [{ value: 0, description: 'Day' }],
      }),
    changes: [],
  },
  {
    what: 'adding a service, an action and an event',
    edit: (s) => {
      s.services.push({
        iid: 3,
        name: 'indicator',
        description: '',
        properties: [],
        actions: [],
        events: [],
      });
      lightService(s).actions.push({ iid: 2, name: 'blink', description: '', in: [], out: [] });
      lightService(s).events.push({ iid: 2, name: 'overheated', description: '', arguments: [] });
    },
    changes: [],
  },
  {
    what: 'a new locale, a new description, assets, a higher version, reordered access and enum',
    edit: (s) => {
      s.name['de'] = 'Lampe';
      s.specVersion = 2;
      s.assets.shortName = 'Light T1 v2';
      lightProperty(s, 1).description = 'How bright.';
      lightProperty(s, 0).access = ['notify', 'write', 'read'];
      lightProperty(s, 3).enum?.reverse();
    },
    changes: [],
  },
];

describe('diffAddOnly', () => {
  it.each(forbidden)('catches $what', ({ edit, changes }) => {
    const next = validLight();
    edit(next);
    const found = diffAddOnly(validLight(), next);
    expect(found).toEqual(changes.map((change) => expect.objectContaining(change)));
  });

  it.each(allowed)('allows $what', ({ edit }) => {
    const next = validLight();
    edit(next);
    expect(diffAddOnly(validLight(), next)).toEqual([]);
  });
});

describe('diffVariant', () => {
  const load = (file: string): ModelSpec =>
    JSON.parse(readFileSync(new URL(`../../../examples/models/${file}`, import.meta.url), 'utf8'));

  it('accepts the example S variant of its parent', () => {
    expect(diffVariant(load('acme.light.bulb1.json'), load('acme.light.bulb1s.json'))).toEqual([]);
  });

  it('catches a variant that drops a parent property or names another parent', () => {
    const parent = validLight();
    const variant = validLight();
    variant.model = 'acme.light.t1s';
    variant.parent = 'acme.light.other';
    lightService(variant).properties.splice(2, 1);
    expect(diffVariant(parent, variant).map((change) => [change.path, change.kind])).toEqual([
      ['/model', 'changed'],
      [`${LIGHT}/properties/2`, 'removed'],
    ]);
  });
});

describe('diffAddOnly: MIoT types', () => {
  const typed = (version: number): ModelSpec => {
    const spec = validLight();
    spec.type = `urn:miot-spec-v2:device:light:0000A001:acme-t1:${version}`;
    lightService(spec).type = `urn:miot-spec-v2:service:light:00007802:acme-t1:${version}`;
    lightProperty(spec, 0).type = `urn:miot-spec-v2:property:on:00000006:acme-t1:${version}`;
    return spec;
  };

  it('allows the instance version in the types to move, and a type declared where there was none', () => {
    const next = typed(2);
    lightProperty(next, 1).type = 'urn:miot-spec-v2:property:brightness:0000000D:acme-t1:2';
    expect(diffAddOnly(typed(1), next)).toEqual([]);
    expect(diffAddOnly(validLight(), typed(1))).toEqual([]);
  });

  it('catches a type that changes what the item is, or goes away', () => {
    const next = typed(1);
    next.type = 'urn:miot-spec-v2:device:outlet:0000A002:acme-t1:1';
    lightProperty(next, 0).type = 'urn:acme-spec:property:on:00000006:acme-t1:1';
    delete lightService(next).type;
    expect(diffAddOnly(typed(1), next)).toEqual([
      expect.objectContaining({ path: '/type', kind: 'changed' }),
      expect.objectContaining({
        path: `${LIGHT}/type`,
        kind: 'changed',
        message: expect.stringMatching(/\(none\)/),
      }),
      expect.objectContaining({ path: `${LIGHT}/properties/0/type`, kind: 'changed' }),
    ]);
  });
});
