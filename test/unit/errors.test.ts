import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorTable } from '../../src/errors.js';

describe('the error table', () => {
  it('is documented row for row in docs/api.md', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    const documented = new Map<string, string[]>();
    for (const line of doc.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const code = /^`([A-Z_]+)`$/.exec(cells[1] ?? '')?.[1];
      if (code) documented.set(code, cells.slice(2, 4));
    }
    for (const [code, row] of Object.entries(errorTable)) {
      expect(documented.get(code), code).toEqual([String(row.status), String(row.mqtt)]);
    }
    expect([...documented.keys()].sort()).toEqual(Object.keys(errorTable).sort());
  });

  it('maps every code to an HTTP error status and a negative MQTT code', () => {
    for (const row of Object.values(errorTable)) {
      expect(row.status).toBeGreaterThanOrEqual(400);
      expect(row.mqtt).toBeLessThan(0);
    }
  });
});
