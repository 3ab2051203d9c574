import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/certification/canonical.js';
import { derivePlan } from '../../src/certification/plan.js';
import { generateSigningKey, signBytes, verifyBytes } from '../../src/certification/signing.js';
import { invalidValues, sweepValues } from '../../src/certification/values.js';
import { checkPropertyValue, compileSpec, type ModelSpec } from '../../src/registry/spec/index.js';

function example(file: string): ModelSpec {
  return JSON.parse(
    readFileSync(new URL(`../../examples/models/${file}.json`, import.meta.url), 'utf8'),
  ) as ModelSpec;
}

describe('the test plan of a model version', () => {
  it('is computed from the document: adding a property adds its cases', () => {
    const doc = example('acme.light.bulb1');
    const before = derivePlan(doc.model, 1, doc).cases.map((c) => c.id);
    const edited = structuredClone(doc);
    const light = edited.services.find((s) => s.name === 'light');
    light?.properties.push({
      iid: 9,
      name: 'saturation',
      description: 'Colour saturation.',
      format: 'uint8',
      access: ['read', 'write', 'notify'],
      unit: 'percentage',
      range: [0, 100, 5],
    });
    const after = derivePlan(doc.model, 2, edited).cases.map((c) => c.id);
    expect(after.filter((id) => !before.includes(id)).sort()).toEqual(
      [
        'report.light.saturation',
        'read.light.saturation',
        'write.light.saturation.min',
        'write.light.saturation.step-5',
        'write.light.saturation.step-10',
        'write.light.saturation.step-15',
        'write.light.saturation.max',
        'invalid.light.saturation.wrong-type',
        'invalid.light.saturation.above-max',
        'invalid.light.saturation.below-min',
        'invalid.light.saturation.off-step',
      ].sort(),
    );
    expect(before.every((id) => after.includes(id))).toBe(true);
  });

  it('names every case once and binds the document by hash', () => {
    for (const file of ['acme.light.bulb1', 'acme.switch.s3', 'acme.vacuum.v1', 'acme.thermostat.t1']) {
      const doc = example(file);
      const plan = derivePlan(doc.model, 1, doc);
      expect(new Set(plan.cases.map((c) => c.id)).size, file).toBe(plan.cases.length);
      expect(plan.documentSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(derivePlan(doc.model, 1, structuredClone(doc)).documentSha256).toBe(plan.documentSha256);
      for (const id of [
        'reconnect.backoff',
        'reconnect.jitter',
        'reconnect.rereport',
        'invalid.unknown-property',
        'action.unknown',
      ]) {
        expect(
          plan.cases.map((c) => c.id),
          file,
        ).toContain(id);
      }
    }
  });

  it('sweeps only valid values and sends only values the hub itself would refuse', () => {
    for (const file of [
      'acme.light.bulb1',
      'acme.switch.s3',
      'acme.thermostat.t1',
      'acme.air-purifier.ap1',
    ]) {
      const spec = compileSpec(example(file));
      for (const prop of spec.properties.filter((p) => p.writable)) {
        for (const v of sweepValues(prop))
          expect(checkPropertyValue(prop, v.value), `${prop.key} ${v.label}`).toBeUndefined();
        for (const v of invalidValues(prop))
          expect(checkPropertyValue(prop, v.value), `${prop.key} ${v.label}`).toBeDefined();
        if (prop.range !== undefined) expect(sweepValues(prop).map((v) => v.label)).toContain('max');
      }
    }
  });
});

describe('report signatures', () => {
  it('verify over the exact canonical bytes and fail for another key or any changed byte', () => {
    const key = generateSigningKey();
    const bytes = Buffer.from(canonicalJson({ b: 1, a: [true, 'x'] }));
    expect(bytes.toString()).toBe('{"a":[true,"x"],"b":1}');
    const signature = signBytes(key, bytes);
    expect(verifyBytes(key.publicKeyPem, bytes, signature)).toBe(true);
    expect(verifyBytes(generateSigningKey().publicKeyPem, bytes, signature)).toBe(false);
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] = (tampered[i] as number) ^ 0x20;
      expect(verifyBytes(key.publicKeyPem, tampered, signature)).toBe(false);
    }
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
  });
});
