import { describe, expect, it } from 'vitest';
import { type ModelSpec, qualityRules, validateModelDocument } from '../../../src/registry/spec/index.js';
import { lightProperty, validLight } from './fixtures.js';
import { P } from './rule-cases/case.js';
import { miotBreakingCases, miotPassingCases } from './rule-cases/miot.js';
import { passingCases } from './rule-cases/passing.js';
import { structureCases } from './rule-cases/structure.js';
import { valueCases } from './rule-cases/values.js';

const breaking = [...structureCases, ...valueCases, ...miotBreakingCases];
const passing = [...passingCases, ...miotPassingCases];

function violationsOf(spec: ModelSpec, rule: string) {
  const result = validateModelDocument(spec);
  return { result, own: result.violations.filter((violation) => violation.rule === rule) };
}

describe('quality rules', () => {
  it('the fixture passes every rule with no warning', () => {
    const result = validateModelDocument(validLight());
    expect(result).toEqual({ ok: true, spec: validLight(), violations: [] });
  });

  it('has unique rule ids, each with a case that breaks it', () => {
    const ids = qualityRules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(breaking.some((c) => c.rule === id)).toBe(true);
  });

  it.each(breaking)('$rule catches $what', ({ rule, edit, paths }) => {
    const spec = validLight();
    edit(spec);
    const { result, own } = violationsOf(spec, rule);
    expect(own.map((violation) => violation.path).sort()).toEqual([...paths].sort());
    const severity = qualityRules.find((candidate) => candidate.id === rule)?.severity;
    for (const violation of own) {
      expect(violation.severity).toBe(severity);
      expect(violation.message).toMatch(/: /); // what is wrong, then how to fix it
    }
    expect(result.ok).toBe(severity === 'warning');
  });

  it.each(passing)('$rule accepts $what', ({ rule, edit }) => {
    const spec = validLight();
    edit(spec);
    const { result, own } = violationsOf(spec, rule);
    expect(own).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('reports every problem of a document together', () => {
    const spec = validLight();
    lightProperty(spec, 4).maxLength = 0;
    spec.assets.shortName = 'A name far too long';
    spec.name['zh-CN'] = '';
    const result = validateModelDocument(spec);
    expect(result.ok).toBe(false);
    expect(result.violations.map((v) => [v.rule, v.path])).toEqual([
      ['Q019', `${P(4)}/maxLength`],
      ['Q021', '/assets/shortName'],
      ['Q022', '/name/zh-CN'],
    ]);
  });

  it("hints MIoT's pm2.5-density as pm25-density, the catalog's name", () => {
    const spec = validLight();
    lightProperty(spec, 4).name = 'pm2.5-density';
    const [finding] = validateModelDocument(spec).violations.filter((v) => v.rule === 'Q006');
    expect(finding?.message).toMatch(/rename it to "pm25-density"/);
  });

  it('keeps a document with warnings only valid, and returns the warnings', () => {
    const spec = validLight();
    delete lightProperty(spec, 4).maxLength;
    const result = validateModelDocument(spec);
    expect(result.ok).toBe(true);
    expect(result.violations.map((v) => [v.rule, v.severity])).toEqual([['Q020', 'warning']]);
  });
});
