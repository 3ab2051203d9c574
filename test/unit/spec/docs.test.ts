import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, qualityRules, validateModelJson } from '../../../src/registry/spec/index.js';

const doc = readFileSync(new URL('../../../docs/spec.md', import.meta.url), 'utf8');

describe('docs/spec.md', () => {
  it('shows a complete example that passes lint with no finding', () => {
    const example = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    expect(validateModelJson(example ?? '').violations).toEqual([]);
  });

  it('documents every rule with its severity', () => {
    for (const rule of qualityRules) expect(doc).toContain(`### ${rule.id} (${rule.severity}):`);
  });

  it('lists every category and unit of the catalog', () => {
    for (const category of defaultCatalog.categories.keys()) expect(doc).toContain(`**\`${category}\`**`);
    for (const unit of defaultCatalog.unitIds) expect(doc).toContain(`\`${unit}\``);
  });
});
