import { describe, expect, it } from 'vitest';
import {
  MAX_MODEL_DOCUMENT_BYTES,
  type Violation,
  validateModelDocument,
  validateModelJson,
} from '../../../src/registry/spec/index.js';
import { asRecord, lightProperty, validLight } from './fixtures.js';

function paths(violations: readonly Violation[]): string[] {
  return violations.map((violation) => violation.path);
}

describe('validateModelDocument: schema', () => {
  it('lists every schema error at once, each with its JSON pointer', () => {
    const doc = asRecord(validLight());
    doc['extra'] = true;
    doc['specVersion'] = '1';
    asRecord(doc['assets'])['color'] = 'red';
    const spec = validLight();
    asRecord(lightProperty(spec, 0))['format'] = 'boolean';
    asRecord(lightProperty(spec, 1))['range'] = [1, 100];
    asRecord(spec.services[0])['iid'] = -1;
    doc['services'] = spec.services;

    const result = validateModelDocument(doc);

    expect(result.ok).toBe(false);
    expect(result.violations.every((v) => v.rule === 'SCHEMA' && v.severity === 'error')).toBe(true);
    expect(paths(result.violations).sort()).toEqual(
      [
        '/extra',
        '/specVersion',
        '/assets/color',
        '/services/1/properties/0/format',
        '/services/1/properties/1/range',
        '/services/0/iid',
      ].sort(),
    );
    const byPath = new Map(result.violations.map((v) => [v.path, v.message]));
    expect(byPath.get('/extra')).toMatch(/unknown field "extra": remove it/);
    expect(byPath.get('/specVersion')).toMatch(/expected an integer/);
    expect(byPath.get('/services/1/properties/0/format')).toMatch(
      /"boolean" is not allowed: use one of bool, uint8/,
    );
    expect(byPath.get('/services/1/properties/1/range')).toMatch(/\[min, max, step\]/);
    expect(byPath.get('/services/0/iid')).toMatch(/below the minimum 0/);
  });

  it('reports missing fields, bad model ids, bad locale tags and repeated access', () => {
    const spec = validLight();
    lightProperty(spec, 0).access = ['read', 'read'];
    const doc = asRecord(spec);
    delete doc['assets'];
    doc['model'] = 'Acme.light.t1';
    doc['name'] = { 'zh-CN': '灯', English: 'Light' };

    const result = validateModelDocument(doc);

    expect(result.ok).toBe(false);
    expect(result.violations.map((v) => [v.path, v.message.split(':')[0]])).toEqual(
      expect.arrayContaining([
        ['/assets', 'missing required field "assets"'],
        ['/model', '"Acme.light.t1" is not valid'],
        ['/name/en', 'missing required field "en"'],
        ['/name/English', '"English" is not a locale tag'],
        ['/services/1/properties/0/access', 'lists the same entry twice'],
      ]),
    );
    expect(result.violations).toHaveLength(5);
  });

  it('rejects a partner segment shorter than 2 characters and a non-object document', () => {
    const doc = validLight();
    doc.model = 'a.light.t1';
    expect(paths(validateModelDocument(doc).violations)).toEqual(['/model']);
    expect(validateModelDocument(null).violations).toEqual([
      { rule: 'SCHEMA', severity: 'error', path: '', message: 'expected an object, got null' },
    ]);
    expect(validateModelDocument([]).ok).toBe(false);
  });

  it('skips quality rules while the shape is wrong', () => {
    const doc = asRecord(validLight());
    doc['category'] = 'Light!';
    const result = validateModelDocument(doc);
    expect(result.violations.map((v) => v.rule)).toEqual(['SCHEMA']);
  });

  it('refuses documents over the size limit and values that are not JSON', () => {
    const doc = validLight();
    doc.services[0]!.description = 'x'.repeat(1000);
    const big = { ...doc, services: Array.from({ length: 300 }, () => doc.services[0]) };
    const result = validateModelDocument(big);
    expect(result.ok).toBe(false);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ rule: 'SCHEMA', path: '' });
    expect(result.violations[0]?.message).toMatch(String(MAX_MODEL_DOCUMENT_BYTES));

    const cyclic = asRecord(validLight());
    cyclic['self'] = cyclic;
    expect(validateModelDocument(cyclic).violations[0]?.message).toMatch(/not JSON data/);
    expect(validateModelDocument(undefined).ok).toBe(false);
  });
});

describe('validateModelJson', () => {
  it('accepts a valid document and returns the typed spec', () => {
    const result = validateModelJson(JSON.stringify(validLight()));
    expect(result.ok && result.spec.model).toBe('acme.light.t1');
  });

  it('reports malformed JSON as one JSON violation', () => {
    const result = validateModelJson('{"model": ');
    expect(result.ok).toBe(false);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ rule: 'JSON', severity: 'error', path: '' });
  });

  it('refuses oversize text before parsing it', () => {
    const text = `{"pad": "${'x'.repeat(MAX_MODEL_DOCUMENT_BYTES)}"}`;
    const result = validateModelJson(text);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ rule: 'SCHEMA', path: '' });
    expect(result.violations[0]?.message).toMatch(/over the 262144-byte limit/);
  });

  it('rejects a __proto__ key rather than letting it through', () => {
    const text = JSON.stringify(validLight()).replace(
      '"specVersion"',
      '"__proto__": {"polluted": true}, "specVersion"',
    );
    const result = validateModelJson(text);
    expect(paths(result.violations)).toEqual(['/__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
