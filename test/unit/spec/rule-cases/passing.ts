import { lightProperty, lightService } from '../fixtures.js';
import type { PassingCase } from './case.js';

export const passingCases: PassingCase[] = [
  {
    rule: 'Q005',
    what: 'a parent of the same partner and category',
    edit: (s) => {
      s.parent = 'acme.light.bulb1';
    },
  },
  {
    rule: 'Q006',
    what: 'digits inside kebab-case names',
    edit: (s) => {
      lightProperty(s, 4).name = 'pm25-density';
      lightService(s).actions[0]!.name = 'toggle-2';
    },
  },
  {
    rule: 'Q010',
    what: 'the explicit unitless unit',
    edit: (s) => {
      lightProperty(s, 3).unit = 'none';
    },
  },
  {
    rule: 'Q016',
    what: 'the full int8 and uint32 ranges, and a fractional step on a float',
    edit: (s) => {
      const base = { description: 'Test.', access: ['read' as const], unit: 'none' };
      lightService(s).properties.push(
        { ...base, iid: 6, name: 'counter', format: 'uint32', range: [0, 4_294_967_295, 1] },
        { ...base, iid: 7, name: 'offset', format: 'int8', range: [-128, 127, 1] },
        { ...base, iid: 8, name: 'gain', format: 'float', range: [-1.5, 1.5, 0.1] },
      );
    },
  },
  {
    rule: 'Q017',
    what: 'a span that is a multiple of step',
    edit: (s) => {
      lightProperty(s, 1).range = [0, 100, 5];
    },
  },
  {
    rule: 'Q018',
    what: 'negative values on a signed format',
    edit: (s) => {
      const fault = lightProperty(s, 3);
      fault.format = 'int8';
      fault.enum = [
        { value: -1, description: 'Unknown' },
        { value: 0, description: 'No fault' },
      ];
    },
  },
  {
    rule: 'Q019',
    what: 'maxLength at both limits',
    edit: (s) => {
      lightProperty(s, 4).maxLength = 4096;
      s.services[0]!.properties[0]!.maxLength = 1;
    },
  },
  {
    rule: 'Q021',
    what: 'an https svg icon',
    edit: (s) => {
      s.assets.icon = 'https://cdn.acme.com/icons/t1.svg?v=2';
    },
  },
  {
    rule: 'Q021',
    what: 'a 12-character CJK short name',
    edit: (s) => {
      s.assets.shortName = '智能灯泡智能灯泡智能灯泡';
    },
  },
  {
    rule: 'Q022',
    what: 'several locales',
    edit: (s) => {
      s.name = { en: 'Light', de: 'Lampe', 'pt-BR': 'Luz' };
    },
  },
];
