import { describe, expect, it } from 'vitest';
import {
  type CompiledProperty,
  checkArguments,
  checkPropertyValue,
  compileSpec,
  type ModelSpec,
  type PropertySpec,
} from '../../../src/registry/spec/index.js';
import { lightService, validLight } from './fixtures.js';

/** One property per case, compiled in a copy of the fixture's light service. */
function compileProperty(
  property: Omit<PropertySpec, 'iid' | 'name' | 'description' | 'access'>,
): CompiledProperty {
  const spec = validLight();
  lightService(spec).properties.push({
    iid: 9,
    name: 'probe',
    description: '',
    access: ['read', 'write'],
    ...property,
  });
  return compileSpec(spec).property('light.probe')!;
}

interface ValueCase {
  readonly what: string;
  readonly property: Omit<PropertySpec, 'iid' | 'name' | 'description' | 'access'>;
  readonly value: unknown;
  readonly reason: 'format' | 'range' | 'step' | 'enum' | 'length' | undefined;
}

const cases: ValueCase[] = [
  { what: 'bool true', property: { format: 'bool' }, value: true, reason: undefined },
  { what: 'bool given 1', property: { format: 'bool' }, value: 1, reason: 'format' },
  { what: 'bool given "true"', property: { format: 'bool' }, value: 'true', reason: 'format' },
  { what: 'uint8 255', property: { format: 'uint8' }, value: 255, reason: undefined },
  { what: 'uint8 256', property: { format: 'uint8' }, value: 256, reason: 'format' },
  { what: 'uint8 -1', property: { format: 'uint8' }, value: -1, reason: 'format' },
  { what: 'uint8 1.5', property: { format: 'uint8' }, value: 1.5, reason: 'format' },
  { what: 'uint8 "5"', property: { format: 'uint8' }, value: '5', reason: 'format' },
  { what: 'uint16 65535', property: { format: 'uint16' }, value: 65_535, reason: undefined },
  { what: 'uint16 65536', property: { format: 'uint16' }, value: 65_536, reason: 'format' },
  { what: 'uint32 4294967295', property: { format: 'uint32' }, value: 4_294_967_295, reason: undefined },
  { what: 'uint32 2^32', property: { format: 'uint32' }, value: 4_294_967_296, reason: 'format' },
  { what: 'int8 -128', property: { format: 'int8' }, value: -128, reason: undefined },
  { what: 'int8 128', property: { format: 'int8' }, value: 128, reason: 'format' },
  { what: 'int16 -32769', property: { format: 'int16' }, value: -32_769, reason: 'format' },
  { what: 'int32 -2^31', property: { format: 'int32' }, value: -2_147_483_648, reason: undefined },
  { what: 'int32 2^31', property: { format: 'int32' }, value: 2_147_483_648, reason: 'format' },
  { what: 'float 21.5', property: { format: 'float' }, value: 21.5, reason: undefined },
  { what: 'float NaN', property: { format: 'float' }, value: Number.NaN, reason: 'format' },
  {
    what: 'float Infinity',
    property: { format: 'float' },
    value: Number.POSITIVE_INFINITY,
    reason: 'format',
  },
  { what: 'float null', property: { format: 'float' }, value: null, reason: 'format' },
  { what: 'string', property: { format: 'string' }, value: 'hello', reason: undefined },
  { what: 'string given a number', property: { format: 'string' }, value: 5, reason: 'format' },
  {
    what: 'string at maxLength',
    property: { format: 'string', maxLength: 5 },
    value: 'hello',
    reason: undefined,
  },
  {
    what: 'string over maxLength',
    property: { format: 'string', maxLength: 5 },
    value: 'hello!',
    reason: 'length',
  },
  // Five emoji are ten UTF-16 units but five characters.
  {
    what: 'astral characters',
    property: { format: 'string', maxLength: 5 },
    value: '😀😀😀😀😀',
    reason: undefined,
  },
  {
    what: 'astral over maxLength',
    property: { format: 'string', maxLength: 4 },
    value: '😀😀😀😀😀',
    reason: 'length',
  },
  {
    what: 'range min inclusive',
    property: { format: 'uint8', range: [1, 100, 1] },
    value: 1,
    reason: undefined,
  },
  {
    what: 'range max inclusive',
    property: { format: 'uint8', range: [1, 100, 1] },
    value: 100,
    reason: undefined,
  },
  { what: 'below range', property: { format: 'uint8', range: [1, 100, 1] }, value: 0, reason: 'range' },
  { what: 'above range', property: { format: 'uint8', range: [1, 100, 1] }, value: 101, reason: 'range' },
  {
    what: 'on an integer step',
    property: { format: 'uint8', range: [0, 100, 5] },
    value: 35,
    reason: undefined,
  },
  {
    what: 'off an integer step',
    property: { format: 'uint8', range: [0, 100, 5] },
    value: 36,
    reason: 'step',
  },
  {
    what: 'step counted from min',
    property: { format: 'uint16', range: [1, 101, 10] },
    value: 21,
    reason: undefined,
  },
  {
    what: 'on a float step',
    property: { format: 'float', range: [-40, 125, 0.1] },
    value: 20.3,
    reason: undefined,
  },
  {
    what: 'float step, negative',
    property: { format: 'float', range: [-40, 125, 0.1] },
    value: -39.9,
    reason: undefined,
  },
  {
    what: 'off a float step',
    property: { format: 'float', range: [-40, 125, 0.1] },
    value: 20.35,
    reason: 'step',
  },
  {
    what: 'float below range',
    property: { format: 'float', range: [-40, 125, 0.1] },
    value: -40.1,
    reason: 'range',
  },
  {
    what: 'enum member',
    property: {
      format: 'uint8',
      enum: [
        { value: 0, description: 'Auto' },
        { value: 2, description: 'Sleep' },
      ],
    },
    value: 2,
    reason: undefined,
  },
  {
    what: 'enum non-member',
    property: {
      format: 'uint8',
      enum: [
        { value: 0, description: 'Auto' },
        { value: 2, description: 'Sleep' },
      ],
    },
    value: 1,
    reason: 'enum',
  },
  // 64-bit integers: a JSON number within 2^53 - 1, a decimal string beyond, compared exactly
  {
    what: 'int64 2^53 - 1 as a number',
    property: { format: 'int64' },
    value: 9_007_199_254_740_991,
    reason: undefined,
  },
  {
    what: 'int64 2^53 + 1 as a string',
    property: { format: 'int64' },
    value: '9007199254740993',
    reason: undefined,
  },
  {
    what: 'int64 -2^63 as a string',
    property: { format: 'int64' },
    value: '-9223372036854775808',
    reason: undefined,
  },
  { what: 'int64 -2^63 - 1', property: { format: 'int64' }, value: '-9223372036854775809', reason: 'format' },
  { what: 'int64 42 as a string', property: { format: 'int64' }, value: '42', reason: 'format' },
  { what: 'int64 beyond 2^53 as a number', property: { format: 'int64' }, value: 2 ** 60, reason: 'format' },
  { what: 'int64 1.5', property: { format: 'int64' }, value: 1.5, reason: 'format' },
  {
    what: 'int64 with leading zero',
    property: { format: 'int64' },
    value: '09007199254740993',
    reason: 'format',
  },
  {
    what: 'uint64 2^64 - 1',
    property: { format: 'uint64' },
    value: '18446744073709551615',
    reason: undefined,
  },
  { what: 'uint64 2^64', property: { format: 'uint64' }, value: '18446744073709551616', reason: 'format' },
  { what: 'uint64 -1', property: { format: 'uint64' }, value: -1, reason: 'format' },
  {
    what: 'int64 above a range beyond 2^53',
    property: { format: 'int64', range: [0, '10000000000000000', 1] },
    value: '10000000000000001',
    reason: 'range',
  },
  {
    what: 'uint64 off an exact step',
    property: { format: 'uint64', range: [0, '18446744073709551614', 2] },
    value: '9007199254740993',
    reason: 'step',
  },
  {
    what: 'uint64 on an exact step',
    property: { format: 'uint64', range: [0, '18446744073709551614', 2] },
    value: '9007199254740994',
    reason: undefined,
  },
  {
    what: 'int64 outside its enum',
    property: { format: 'int64', enum: [{ value: -1, description: 'Never' }] },
    value: 3,
    reason: 'enum',
  },
  // hex: digit pairs; strings without maxLength: bounded at the default 1024
  { what: 'hex digit pairs', property: { format: 'hex', maxLength: 8 }, value: '0a1F', reason: undefined },
  { what: 'hex odd length', property: { format: 'hex', maxLength: 8 }, value: 'abc', reason: 'format' },
  { what: 'hex not hex', property: { format: 'hex', maxLength: 8 }, value: 'zz', reason: 'format' },
  {
    what: 'hex over maxLength',
    property: { format: 'hex', maxLength: 4 },
    value: '001122',
    reason: 'length',
  },
  {
    what: 'string at the default bound',
    property: { format: 'string' },
    value: 'x'.repeat(1024),
    reason: undefined,
  },
  {
    what: 'string over the default bound',
    property: { format: 'string' },
    value: 'x'.repeat(1025),
    reason: 'length',
  },
];

describe('checkPropertyValue', () => {
  it.each(cases)('$what -> $reason', ({ property, value, reason }) => {
    const problem = checkPropertyValue(compileProperty(property), value);
    expect(problem?.reason).toBe(reason);
    if (problem !== undefined) expect(problem.message).toMatch(/^light\.probe /);
  });

  it('explains the failure', () => {
    const brightness = compileProperty({ format: 'uint8', range: [1, 100, 1] });
    expect(checkPropertyValue(brightness, 300)?.message).toBe(
      'light.probe (uint8) expects an integer from 0 to 255, got 300',
    );
    expect(checkPropertyValue(brightness, 101)?.message).toBe(
      'light.probe must be between 1 and 100, got 101',
    );
    const mode = compileProperty({ format: 'uint8', enum: [{ value: 0, description: 'Auto' }] });
    expect(checkPropertyValue(mode, 3)?.message).toBe('light.probe must be one of 0 (Auto), got 3');
    const big = 'x'.repeat(10_000);
    expect(checkPropertyValue(brightness, big)?.message).toMatch(/got a string$/); // never echoes the payload
  });
});

/** The curtain's move-to action: in [3] (target-position), out [2] (current-position). */
function curtain(): ModelSpec {
  const spec = validLight();
  lightService(spec).properties.push(
    {
      iid: 6,
      name: 'target-position',
      description: '',
      format: 'uint8',
      access: ['read', 'write'],
      unit: 'percentage',
      range: [0, 100, 1],
    },
    {
      iid: 7,
      name: 'speed',
      description: '',
      format: 'uint8',
      access: ['write'],
      enum: [
        { value: 1, description: 'Slow' },
        { value: 2, description: 'Fast' },
      ],
    },
  );
  return spec;
}

describe('checkArguments', () => {
  const compiled = compileSpec(curtain());
  const check = (values: unknown) => checkArguments(compiled, 2, [6, 7], values);

  it('accepts every expected piid once, in any order, and allocates no problem list', () => {
    const first = check([
      { piid: 6, value: 40 },
      { piid: 7, value: 2 },
    ]);
    expect(first).toEqual([]);
    expect(
      check([
        { piid: 7, value: 1 },
        { piid: 6, value: 0 },
      ]),
    ).toBe(first); // the shared empty result
    expect(checkArguments(compiled, 2, [], [])).toEqual([]);
  });

  it('reports missing, unknown, duplicate and invalid arguments together', () => {
    const problems = check([
      { piid: 6, value: 140 },
      { piid: 1, value: true },
      { piid: 6, value: 10 },
    ]);
    expect(problems.map((p) => [p.reason, p.piid, p.index])).toEqual([
      ['range', 6, 0],
      ['unknown', 1, 1],
      ['duplicate', 6, 2],
      ['missing', 7, undefined],
    ]);
    expect(problems[3]?.message).toBe('missing argument light.speed (piid 7)');
  });

  it('reports a bad shape', () => {
    expect(check({ 6: 40 }).map((p) => p.reason)).toEqual(['shape']);
    expect(
      check(['x', { piid: '6', value: 1 }, { piid: 6, value: 1, extra: 1 }]).map((p) => [p.reason, p.index]),
    ).toEqual([
      ['shape', 0],
      ['shape', 1],
      ['shape', 2],
      ['missing', undefined], // piid 7; piid 6 was given, in a malformed entry
    ]);
    expect(check([{ piid: 6 }, { piid: 7, value: 2 }]).map((p) => p.reason)).toEqual(['format']);
  });

  it('bounds the work on a hostile argument list', () => {
    const flood = Array.from({ length: 100_000 }, () => ({ piid: 6, value: 1 }));
    expect(check(flood)).toHaveLength(16);
  });
});
