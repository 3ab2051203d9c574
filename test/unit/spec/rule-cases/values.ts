import { lightProperty, lightService } from '../fixtures.js';
import { type BreakingCase, P } from './case.js';

/** Q010..Q022: units, value constraints, design assets and names. */
export const valueCases: BreakingCase[] = [
  // Q010 units
  {
    rule: 'Q010',
    what: 'unit not in the list',
    edit: (s) => {
      lightProperty(s, 2).unit = 'K';
    },
    paths: [`${P(2)}/unit`],
  },
  // Q011 range on a non-numeric format
  {
    rule: 'Q011',
    what: 'range on bool and string',
    edit: (s) => {
      lightProperty(s, 0).range = [0, 1, 1];
      lightProperty(s, 4).range = [0, 10, 1];
    },
    paths: [`${P(0)}/range`, `${P(4)}/range`],
  },
  // Q012 enum on a non-integer format
  {
    rule: 'Q012',
    what: 'enum on string and float',
    edit: (s) => {
      lightProperty(s, 4).enum = [{ value: 1, description: 'One' }];
      const temperature = lightProperty(s, 2);
      temperature.format = 'float';
      delete temperature.range;
      temperature.enum = [{ value: 2700, description: 'Warm' }];
    },
    paths: [`${P(2)}/enum`, `${P(4)}/enum`],
  },
  // Q013 range and enum
  {
    rule: 'Q013',
    what: 'both range and enum',
    edit: (s) => {
      lightProperty(s, 1).enum = [{ value: 1, description: 'Dim' }];
    },
    paths: [P(1)],
  },
  // Q014 unbounded numbers (warning)
  {
    rule: 'Q014',
    what: 'integer and float without range or enum',
    edit: (s) => {
      delete lightProperty(s, 2).range;
      lightService(s).properties.push({
        iid: 6,
        name: 'power',
        description: 'Power draw.',
        format: 'float',
        access: ['read'],
        unit: 'watt',
      });
    },
    paths: [P(2), P(5)],
  },
  // Q015 range order and step
  {
    rule: 'Q015',
    what: 'min above max',
    edit: (s) => {
      lightProperty(s, 1).range = [100, 1, 1];
    },
    paths: [`${P(1)}/range`],
  },
  {
    rule: 'Q015',
    what: 'zero step',
    edit: (s) => {
      lightProperty(s, 1).range = [1, 100, 0];
    },
    paths: [`${P(1)}/range/2`],
  },
  // Q016 range fits the format
  {
    rule: 'Q016',
    what: 'max beyond uint8',
    edit: (s) => {
      lightProperty(s, 1).range = [0, 300, 1];
    },
    paths: [`${P(1)}/range/1`],
  },
  {
    rule: 'Q016',
    what: 'min below int8, fractional step on an integer format',
    edit: (s) => {
      const brightness = lightProperty(s, 1);
      brightness.format = 'int8';
      brightness.range = [-200, 100, 0.5];
    },
    paths: [`${P(1)}/range/2`, `${P(1)}/range/0`],
  },
  // Q017 unreachable max (warning)
  {
    rule: 'Q017',
    what: 'span not a multiple of step',
    edit: (s) => {
      lightProperty(s, 1).range = [1, 100, 7];
    },
    paths: [`${P(1)}/range`],
  },
  // Q018 enum entries
  {
    rule: 'Q018',
    what: 'empty enum',
    edit: (s) => {
      lightProperty(s, 3).enum = [];
    },
    paths: [`${P(3)}/enum`],
  },
  {
    rule: 'Q018',
    what: 'repeated value, repeated description, out-of-format value, blank description',
    edit: (s) => {
      lightProperty(s, 3).enum = [
        { value: 0, description: 'No fault' },
        { value: 0, description: 'no fault ' },
        { value: 300, description: 'Big' },
        { value: 2, description: ' ' },
      ];
    },
    paths: [
      `${P(3)}/enum/1/value`,
      `${P(3)}/enum/1/description`,
      `${P(3)}/enum/2/value`,
      `${P(3)}/enum/3/description`,
    ],
  },
  // Q019 maxLength
  {
    rule: 'Q019',
    what: 'maxLength out of 1..4096, and on a number',
    edit: (s) => {
      lightProperty(s, 4).maxLength = 5000;
      s.services[0]!.properties[0]!.maxLength = 0;
      lightProperty(s, 1).maxLength = 3;
    },
    paths: ['/services/0/properties/0/maxLength', `${P(1)}/maxLength`, `${P(4)}/maxLength`],
  },
  // Q020 unbounded strings (warning)
  {
    rule: 'Q020',
    what: 'string without maxLength',
    edit: (s) => void delete lightProperty(s, 4).maxLength,
    paths: [P(4)],
  },
  // Q021 design assets
  ...[
    '',
    '/abs/t1.png',
    '../t1.png',
    'icons/./t1.png',
    'http://cdn.acme.com/t1.png',
    'https://cdn.acme.com/t1.gif',
    'icons/t1',
  ].map(
    (icon): BreakingCase => ({
      rule: 'Q021',
      what: `icon ${JSON.stringify(icon)}`,
      edit: (s) => {
        s.assets.icon = icon;
      },
      paths: ['/assets/icon'],
    }),
  ),
  ...['', '   ', 'Thirteen char'].map(
    (shortName): BreakingCase => ({
      rule: 'Q021',
      what: `shortName ${JSON.stringify(shortName)}`,
      edit: (s) => {
        s.assets.shortName = shortName;
      },
      paths: ['/assets/shortName'],
    }),
  ),
  // Q022 localized names
  {
    rule: 'Q022',
    what: 'blank names',
    edit: (s) => {
      s.name = { en: ' ', 'zh-CN': '' };
    },
    paths: ['/name/en', '/name/zh-CN'],
  },
];
