import { lightProperty, lightService } from '../fixtures.js';
import { type BreakingCase, LIGHT, P } from './case.js';

/** Q001..Q009: what a model must contain and how its parts are named and numbered. */
export const structureCases: BreakingCase[] = [
  // Q001 device-information
  {
    rule: 'Q001',
    what: 'no device-information service',
    edit: (s) => void s.services.shift(),
    paths: ['/services'],
  },
  {
    rule: 'Q001',
    what: 'serial-number missing',
    edit: (s) => void s.services[0]!.properties.splice(2, 1),
    paths: ['/services/0/properties'],
  },
  {
    rule: 'Q001',
    what: 'manufacturer not a string',
    edit: (s) => {
      const manufacturer = s.services[0]!.properties[0]!;
      manufacturer.format = 'uint8';
      manufacturer.range = [0, 10, 1];
      delete manufacturer.maxLength;
    },
    paths: ['/services/0/properties/0/format'],
  },
  {
    rule: 'Q001',
    what: 'firmware-revision not readable',
    edit: (s) => {
      s.services[0]!.properties[3]!.access = ['notify'];
    },
    paths: ['/services/0/properties/3/access'],
  },
  // Q002 category requirements
  {
    rule: 'Q002',
    what: 'light service missing',
    edit: (s) => {
      lightService(s).name = 'lamp';
    },
    paths: ['/services'],
  },
  {
    rule: 'Q002',
    what: 'light.on missing',
    edit: (s) => {
      lightProperty(s, 0).name = 'power';
    },
    paths: [`${LIGHT}/properties`],
  },
  {
    rule: 'Q002',
    what: 'light.on not writable',
    edit: (s) => {
      lightProperty(s, 0).access = ['read', 'notify'];
    },
    paths: [`${P(0)}/access`],
  },
  {
    rule: 'Q002',
    what: 'brightness in the wrong format',
    edit: (s) => {
      lightProperty(s, 1).format = 'float';
    },
    paths: [`${P(1)}/format`],
  },
  {
    rule: 'Q002',
    what: 'brightness in the wrong unit',
    edit: (s) => {
      lightProperty(s, 1).unit = 'lux';
    },
    paths: [`${P(1)}/unit`],
  },
  {
    rule: 'Q002',
    what: 'brightness without unit',
    edit: (s) => void delete lightProperty(s, 1).unit,
    paths: [P(1)],
  },
  // Q003 unknown category
  {
    rule: 'Q003',
    what: 'unknown category',
    edit: (s) => {
      s.category = 'lamp';
      s.model = 'acme.lamp.t1';
    },
    paths: ['/category'],
  },
  // Q004 model id category segment
  {
    rule: 'Q004',
    what: 'model id names another category',
    edit: (s) => {
      s.model = 'acme.plug.t1';
    },
    paths: ['/model'],
  },
  // Q005 variant parent
  {
    rule: 'Q005',
    what: 'parent is itself',
    edit: (s) => {
      s.parent = s.model;
    },
    paths: ['/parent'],
  },
  {
    rule: 'Q005',
    what: 'parent of another partner',
    edit: (s) => {
      s.parent = 'other.light.t1';
    },
    paths: ['/parent'],
  },
  {
    rule: 'Q005',
    what: 'parent of another category',
    edit: (s) => {
      s.parent = 'acme.plug.p1';
    },
    paths: ['/parent'],
  },
  // Q006 kebab-case
  {
    rule: 'Q006',
    what: 'names not kebab-case at every level',
    edit: (s) => {
      lightProperty(s, 4).name = 'Label';
      lightService(s).actions[0]!.name = 'toggle_light';
      lightService(s).events[0]!.name = 'faultOccurred';
      s.services[0]!.name = 'device information';
    },
    paths: [`${P(4)}/name`, `${LIGHT}/actions/0/name`, `${LIGHT}/events/0/name`, '/services/0/name'],
  },
  {
    rule: 'Q006',
    what: 'a dot in a name (the service.property separator)',
    edit: (s) => {
      lightProperty(s, 4).name = 'pm2.5-density';
    },
    paths: [`${P(4)}/name`],
  },
  // Q007 unique names
  {
    rule: 'Q007',
    what: 'two properties with one name',
    edit: (s) => {
      lightService(s).properties.push({ ...lightProperty(s, 4), iid: 6 });
    },
    paths: [`${P(5)}/name`],
  },
  {
    rule: 'Q007',
    what: 'two services with one name',
    edit: (s) => void s.services.push({ ...s.services[0]!, iid: 3 }),
    paths: ['/services/2/name'],
  },
  // Q008 unique iids
  {
    rule: 'Q008',
    what: 'a reused piid',
    edit: (s) => {
      lightProperty(s, 4).iid = 1;
    },
    paths: [`${P(4)}/iid`],
  },
  {
    rule: 'Q008',
    what: 'a reused siid',
    edit: (s) => {
      lightService(s).iid = 1;
    },
    paths: [`${LIGHT}/iid`],
  },
  {
    rule: 'Q008',
    what: 'a reused aiid',
    edit: (s) =>
      void lightService(s).actions.push({ iid: 1, name: 'blink', description: '', in: [], out: [] }),
    paths: [`${LIGHT}/actions/1/iid`],
  },
  // Q009 parameter references
  {
    rule: 'Q009',
    what: 'event argument to a missing piid',
    edit: (s) => {
      lightService(s).events[0]!.arguments = [9];
    },
    paths: [`${LIGHT}/events/0/arguments/0`],
  },
  {
    rule: 'Q009',
    what: 'action in lists a piid twice, out a missing one',
    edit: (s) => {
      lightService(s).actions[0]!.in = [2, 2];
      lightService(s).actions[0]!.out = [42];
    },
    paths: [`${LIGHT}/actions/0/in/1`, `${LIGHT}/actions/0/out/0`],
  },
];
