import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusCandidates, corpusDir, loadCorpus } from '../miot/corpus.js';

describe('where npm run test:miot finds the MIoT corpus', () => {
  it('defaults to shared/miot-specs beside the repository (and beside the main checkout of a worktree)', () => {
    const candidates = corpusCandidates({});
    expect(candidates.length).toBeGreaterThan(0);
    for (const dir of candidates) expect(dir).toMatch(/[/\\]shared[/\\]miot-specs$/);
  });

  it('takes MIOT_SPECS instead, and fails with how to get the corpus when it is missing', () => {
    const missing = join(tmpdir(), 'ecohub-no-such-corpus');
    expect(corpusCandidates({ MIOT_SPECS: missing })).toEqual([missing]);
    expect(() => corpusDir({ MIOT_SPECS: missing })).toThrow(
      /corpus not found.*MIOT_SPECS=\/path\/to\/miot-specs/s,
    );
  });

  it('fails on a folder with no documents, and reads the .json files of one that has them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecohub-corpus-'));
    try {
      expect(() => loadCorpus({ MIOT_SPECS: dir })).toThrow(/holds no \.json documents/);
      writeFileSync(join(dir, 'b.json'), '{}');
      writeFileSync(join(dir, 'a.json'), '[]');
      writeFileSync(join(dir, 'README.md'), '#');
      expect(loadCorpus({ MIOT_SPECS: dir }).documents.map((d) => d.file)).toEqual(['a.json', 'b.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
