import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileLintResult, runSpecLint } from '../../../src/registry/spec/index.js';
import { asRecord, lightProperty, validLight } from './fixtures.js';

const examplesDir = fileURLToPath(new URL('../../../examples/models/', import.meta.url));

async function lint(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runSpecLint(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, stdout, stderr };
}

describe('ecohub spec lint', () => {
  let dir: string;
  let examples: string[];
  let broken: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecohub-spec-lint-'));
    examples = (await readdir(examplesDir))
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(examplesDir, f));
    const spec = validLight();
    lightProperty(spec, 1).range = [1, 300, 1]; // Q016
    lightProperty(spec, 2).unit = 'K'; // Q002 and Q010
    spec.assets.shortName = ''; // Q021
    delete lightProperty(spec, 4).maxLength; // Q020 warning
    broken = join(dir, 'broken.json');
    await writeFile(broken, JSON.stringify(spec));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes every example with no finding at all', async () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
    const { code, stdout, stderr } = await lint(examples);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`${examples.length} files checked: 0 failed, 0 errors, 0 warnings`);
  });

  it('prints every violation of a broken file and exits 1', async () => {
    const { code, stdout } = await lint([broken]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${broken}: FAILED (4 errors, 1 warning)`);
    for (const line of [
      '  /services/1/properties/2/unit  error  Q002  ',
      '  /services/1/properties/2/unit  error  Q010  ',
      '  /services/1/properties/1/range/1  error  Q016  ',
      '  /assets/shortName  error  Q021  ',
      '  /services/1/properties/4  warning  Q020  ',
    ]) {
      expect(stdout).toContain(line);
    }
    expect(stdout).toMatch(/1 file checked: 1 failed, 4 errors, 1 warning\n$/);
  });

  it('exits 0 when a file has warnings only', async () => {
    const spec = validLight();
    delete lightProperty(spec, 4).maxLength;
    const file = join(dir, 'warning.json');
    await writeFile(file, JSON.stringify(spec));
    const { code, stdout } = await lint([file]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${file}: ok (0 errors, 1 warning)`);
  });

  it('prints one JSON document with --json, in command-line order', async () => {
    const first = examples[0]!;
    const { code, stdout } = await lint(['--json', first, broken]);
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as FileLintResult[];
    expect(results.map((r) => [r.file, r.ok])).toEqual([
      [first, true],
      [broken, false],
    ]);
    expect(results[1]?.violations.map((v) => v.rule)).toEqual(['Q002', 'Q010', 'Q016', 'Q020', 'Q021']);
  });

  it('fails unreadable, non-JSON and schema-invalid files', async () => {
    const notJson = join(dir, 'not-json.json');
    await writeFile(notJson, '{ "model": acme }');
    const badShape = join(dir, 'bad-shape.json');
    const doc = asRecord(validLight());
    doc['colour'] = 'red';
    await writeFile(badShape, JSON.stringify(doc));
    const missing = join(dir, 'missing.json');

    const { code, stdout } = await lint(['--json', notJson, badShape, missing, dir]);
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as FileLintResult[];
    expect(results.map((r) => [r.ok, r.violations.map((v) => `${v.rule} ${v.path}`)])).toEqual([
      [false, ['JSON ']],
      [false, ['SCHEMA /colour']],
      [false, ['IO ']],
      [false, ['IO ']],
    ]);
    expect(results[2]?.violations[0]?.message).toMatch(/does not exist/);
  });

  it('exits 2 on bad usage, naming the flag', async () => {
    const unknown = await lint(['--fix', broken]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown flag --fix');
    expect(unknown.stdout).toBe('');

    const none = await lint(['--json']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no files given');
  });

  it('treats arguments after -- as files', async () => {
    const { code, stdout } = await lint(['--', '--json']);
    expect(code).toBe(1);
    expect(stdout).toContain('--json: FAILED');
  });
});
