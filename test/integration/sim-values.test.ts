import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createPrng,
  driftValue,
  initialValue,
  outOfRangeValue,
  prepareSpec,
  randomValue,
  wrongFormatValue,
} from '../../firmware-sim/index.js';
import { checkPropertyValue } from '../../src/registry/spec/index.js';

const dir = new URL('../../examples/models/', import.meta.url);
const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Record<string, unknown>] as const);

describe('spec-driven values', () => {
  it.each(examples)('%s: initial, random and drifted values all pass the spec checks', (_file, doc) => {
    const spec = prepareSpec(doc);
    const rng = createPrng(42);
    for (const prop of spec.properties) {
      let value = initialValue(prop);
      expect(checkPropertyValue(prop, value), `${prop.key} initial`).toBeUndefined();
      for (let i = 0; i < 300; i++) {
        expect(checkPropertyValue(prop, randomValue(prop, rng)), `${prop.key} random`).toBeUndefined();
        value = driftValue(prop, value, rng);
        expect(checkPropertyValue(prop, value), `${prop.key} drift ${String(value)}`).toBeUndefined();
      }
    }
  });

  it.each(examples)('%s: the fault values are rejected for the reason the hub counts', (_file, doc) => {
    const spec = prepareSpec(doc);
    const notify = spec.properties.filter((p) => p.notifiable);
    const bad = outOfRangeValue(notify);
    if (bad !== undefined) expect(checkPropertyValue(bad.prop, bad.value)?.reason).toBe(bad.reason);
    for (const prop of notify) {
      const wrong = wrongFormatValue(prop);
      expect(checkPropertyValue(prop, wrong.value)?.reason).toBe('format');
    }
  });

  it('replays the same values for the same seed', () => {
    const [, doc] = examples[0] ?? [];
    const spec = prepareSpec(doc ?? {});
    const run = (seed: number) => {
      const rng = createPrng(seed);
      return spec.properties.map((p) => randomValue(p, rng));
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });

  it('refuses an invalid model document with the first problems named', () => {
    expect(() => prepareSpec({ model: 'x' })).toThrow(/not valid/);
  });
});
