import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  exportMiot,
  exportMiotJson,
  importMiot,
  importMiotJson,
  type ModelSpec,
  validateModelDocument,
  validateModelJson,
} from '../../../src/registry/spec/index.js';
import { parseExactJson, stringifyExactJson } from '../../../src/registry/spec/miot/exact-json.js';
import { essentials, expectedAfterRoundTrip } from '../../miot/round-trip.js';
import { POWER_STRIP } from './miot-fixture.js';

function imported(text = POWER_STRIP, options = {}) {
  const result = importMiotJson(text, options);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result;
}

describe('MIoT-Spec-V2 import', () => {
  it('converts an instance into a document that lints clean, keeping iids, types and values', () => {
    const { document } = imported();
    expect(validateModelDocument(document)).toMatchObject({ ok: true, violations: [] });
    expect(document).toMatchObject({
      model: 'acme.plug.p9',
      type: 'urn:miot-spec-v2:device:outlet:0000A002:acme-p9:2:0000C802',
      specVersion: 2,
      name: { en: 'Acme Power Strip P9' },
      category: 'plug',
      addressing: 'iid',
    });
    expect(document.services.map((s) => [s.iid, s.name])).toEqual([
      [1, 'device-information'],
      [2, 'switch-2'],
      [3, 'switch-3'],
      [4, 'power-consumption'],
      [5, 'counters'],
    ]);
    const counters = document.services[4]!;
    expect(counters.properties.map((p) => [p.iid, p.name])).toEqual([
      [0, 'uptime'],
      [1, 'mode-1'],
      [2, 'mode-2'],
      [3, 'pm25-density'],
      [4, 'blob'],
    ]);
    expect(counters.properties[0]).toMatchObject({ format: 'uint64', range: [0, '18446744073709551615', 1] });
    expect(counters.properties[1]!.access).toEqual(['notify', 'read', 'write']);
    expect(counters.properties[1]!.enum).toEqual([
      { value: 0, description: 'Value 0' },
      { value: 1, description: 'Eco' },
      { value: 2, description: 'eco (2)' },
    ]);
    expect(counters.properties[2]!.access).toEqual(['read']);
    expect(counters.properties[3]!.unit).toBe('ug/m3');
    expect(counters.properties[4]).toMatchObject({ format: 'hex', access: [], maxLength: 1024 });
    expect(document.services[3]!.properties[0]!.unit).toBe('kwh');
  });

  it('lists every change with a JSON pointer into the source', () => {
    const notes = imported().notes.map((n) => [n.path, n.kind]);
    expect(notes).toEqual(
      expect.arrayContaining([
        ['/x-vendor-note', 'dropped'],
        ['/type', 'added'],
        ['/services/0/type', 'renamed'],
        ['/services/0/comment', 'dropped'],
        ['/services/0/properties/0/source', 'dropped'],
        ['/services/0/properties/0/gatt-access', 'dropped'],
        ['/services/1/type', 'renamed'],
        ['/services/2/properties/0/unit', 'converted'],
        ['/services/3/properties/0/value-range/1', 'converted'],
        ['/services/3/properties/1/type', 'renamed'],
        ['/services/3/properties/1/value-list/0/description', 'converted'],
        ['/services/3/properties/1/value-list/2/description', 'converted'],
        ['/services/3/properties/2/type', 'renamed'],
        ['/services/3/properties/2/access/1', 'dropped'],
        ['/services/3/properties/3/type', 'renamed'],
        ['/services/3/properties/3/unit', 'converted'],
        ['/services/3/properties/4', 'added'],
        ['/services', 'added'],
        ['', 'added'],
      ]),
    );
    const rename = imported().notes.find((n) => n.path === '/services/3/properties/3/type');
    expect(rename?.message).toMatch(/pm25-density.*"pm2\.5-density" is not a valid ecohub name/);
  });

  it('takes the model id or the partner from the options', () => {
    expect(imported(POWER_STRIP, { partner: 'p-1234' }).document.model).toBe('p-1234.plug.p9');
    expect(imported(POWER_STRIP, { model: 'acme.plug.strip9' }).document.model).toBe('acme.plug.strip9');
  });

  it.each([
    ['not JSON', '{"type": ', '', /not valid JSON/],
    ['not an instance', '{"services": 3}', '', /not a MIoT-Spec-V2 instance/],
    [
      'a service type as device type',
      POWER_STRIP.replace(':device:outlet:', ':service:outlet:'),
      '/type',
      /not a device type/,
    ],
    [
      'a device type without a category',
      POWER_STRIP.replace(':device:outlet:', ':device:dishwasher:'),
      '/type',
      /dishwasher has no ecohub category/,
    ],
    [
      'an unknown format',
      POWER_STRIP.replace('"format": "hex"', '"format": "decimal"'),
      '/services/3/properties/4/format',
      /format "decimal"/,
    ],
    [
      'a two-entry range',
      POWER_STRIP.replace('[0, 10, 1]', '[0, 10]'),
      '/services/3/properties/2/value-range',
      /2 entries/,
    ],
    [
      'an iid beyond 16 bits',
      POWER_STRIP.replace('"iid": 5,', '"iid": 70000,'),
      '/services/3/iid',
      /outside 0\.\.65535/,
    ],
  ])('refuses %s, naming where', (_what, text, path, message) => {
    const result = importMiotJson(text);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.every((e) => e.rule === 'IMPORT' && e.severity === 'error')).toBe(true);
    expect(errors.some((e) => e.path.startsWith(path) && message.test(e.message))).toBe(true);
  });

  it('refuses a document over the size limit before parsing it', () => {
    const result = importMiotJson(' '.repeat(1024 * 1024 + 1));
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([expect.stringMatching(/over the/)]);
  });

  it('imports an already parsed document too (64-bit bounds then rely on JSON.parse)', () => {
    const result = importMiot(JSON.parse(POWER_STRIP.replace('18446744073709551615', '1')));
    expect(result.ok && result.document.model).toBe('acme.plug.p9');
  });
});

describe('MIoT-Spec-V2 export', () => {
  it('gives the source back, apart from what the import notes announce', () => {
    const { document, notes } = imported();
    const exported = parseExactJson(exportMiotJson(document));
    const source = parseExactJson(POWER_STRIP);
    expect(essentials(exported)).toEqual(expectedAfterRoundTrip(source, notes, exported));
    const uptime = (exported as { services: Array<{ properties: Array<{ 'value-range'?: unknown[] }> }> })
      .services[4]!.properties[0]!;
    expect(uptime['value-range']).toEqual([0, 18446744073709551615n, 1]);
    expect(exportMiotJson(document)).toContain('18446744073709551615,');
  });

  it('gives a hand-written model vendor types in the partner namespace, and imports back to the same items', () => {
    const text = readFileSync(
      new URL('../../../examples/models/acme.light.bulb1.json', import.meta.url),
      'utf8',
    );
    const native = validateModelJson(text);
    if (!native.ok) throw new Error('example is not valid');
    const miot = exportMiot(native.spec);
    expect(miot.type).toBe('urn:acme-spec:device:light:00000000:acme-bulb1:1');
    expect(miot.services[1]?.type).toBe('urn:acme-spec:service:light:00000002:acme-bulb1:1');
    expect(miot.services[1]?.properties[1]).toMatchObject({
      type: 'urn:acme-spec:property:brightness:00000002:acme-bulb1:1',
      format: 'uint8',
      unit: 'percentage',
      'value-range': [1, 100, 1],
    });
    const back = imported(exportMiotJson(native.spec), { model: native.spec.model }).document;
    const shape = (spec: ModelSpec) =>
      spec.services.map((s) => [s.iid, s.name, s.properties.map((p) => [p.iid, p.name, p.format, p.range])]);
    expect(shape(back)).toEqual(shape(native.spec));
  });
});

describe('exact JSON', () => {
  it('keeps integers beyond 2^53 exact and everything else as JSON.parse does', () => {
    const text =
      '{"a": [9007199254740993, -9223372036854775808, 1.5e3, 12], "b": {"__proto__": true}, "c": "x\\u00e9"}';
    const parsed = parseExactJson(text) as Record<string, unknown>;
    expect(parsed['a']).toEqual([9007199254740993n, -9223372036854775808n, 1500, 12]);
    expect(Object.keys(parsed['b'] as object)).toEqual(['__proto__']);
    expect(parsed['c']).toBe('xé');
    expect(parseExactJson(stringifyExactJson(parsed))).toEqual(parsed);
  });

  it.each(['', '{', '[1,]', '{"a" 1}', '01', 'nul', '"\u0001"', '[1] 2', '['.repeat(100)])(
    'refuses %j with a SyntaxError',
    (text) => {
      expect(() => parseExactJson(text)).toThrow(SyntaxError);
    },
  );
});
