import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/hub.js';
import { loadCorpus } from './corpus.js';

const corpus = loadCorpus();

describe('ecohub spec import miot over the corpus', () => {
  it('imports every document into a folder, and every result lints without errors', async () => {
    const out = tempDir('ecohub-miot-');
    const files = corpus.documents.map(({ file }) => join(corpus.dir, file));
    const imported = await runCli(['spec', 'import', 'miot', ...files, '--out', out], {}, 60_000);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`${files.length} files imported: 0 failed`);
    const written = readdirSync(out).map((file) => join(out, file));
    expect(written).toHaveLength(files.length);
    const lint = await runCli(['spec', 'lint', ...written], {}, 60_000);
    expect(lint.code, lint.stdout).toBe(0);
    expect(lint.stdout).toContain(`${files.length} files checked: 0 failed, 0 errors`);
    rmSync(out, { recursive: true, force: true });
  });
});
