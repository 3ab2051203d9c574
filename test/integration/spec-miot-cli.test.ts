import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { parseExactJson } from '../../src/registry/spec/miot/exact-json.js';
import { runCli } from '../support/cli.js';
import { POWER_STRIP } from '../unit/spec/miot-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'ecohub-spec-miot-'));
const strip = join(dir, 'acme.plug.p9.json');
writeFileSync(strip, POWER_STRIP);

describe('ecohub spec import miot / export miot', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports one file to stdout, with every change and the lint result on stderr', async () => {
    const res = await runCli(['spec', 'import', 'miot', strip]);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout) as ModelSpec;
    expect(doc).toMatchObject({ model: 'acme.plug.p9', specVersion: 2, category: 'plug' });
    expect(res.stderr).toContain('acme.plug.p9.json -> acme.plug.p9: imported');
    expect(res.stderr).toContain('/services/0/comment  dropped');
    expect(res.stderr).toContain('/services/3/properties/3/type  renamed');
    expect(res.stderr).toContain('1 file imported: 0 failed');
  });

  it('writes several files to --out, and refuses two sources that make one model id', async () => {
    const twin = join(dir, 'twin.json');
    writeFileSync(twin, POWER_STRIP);
    const out = join(dir, 'out');
    const res = await runCli(['spec', 'import', 'miot', strip, twin, '--out', out, '--partner', 'zz']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('model id zz.plug.p9 was already made from');
    expect(res.stdout).toContain('2 files imported: 1 failed');
    expect(readdirSync(out)).toEqual(['zz.plug.p9.json']);
  });

  it('reports as JSON with --json', async () => {
    const res = await runCli(['spec', 'import', 'miot', strip, '--json', '--model', 'acme.plug.strip']);
    expect(res.code).toBe(0);
    const [report] = JSON.parse(res.stdout) as Array<{ document: ModelSpec; notes: unknown[] }>;
    expect(report).toMatchObject({ ok: true, model: 'acme.plug.strip', output: null, violations: [] });
    expect(report?.document.model).toBe('acme.plug.strip');
    expect(report?.notes.length).toBeGreaterThan(10);
  });

  it('exports back to MIoT with the 64-bit range exact and MIoT unit spellings', async () => {
    const imported = join(dir, 'imported.json');
    writeFileSync(imported, (await runCli(['spec', 'import', 'miot', strip])).stdout);
    const res = await runCli(['spec', 'export', 'miot', imported]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('18446744073709551615');
    const miot = parseExactJson(res.stdout) as {
      type: string;
      services: Array<{ properties: Array<{ unit?: string }> }>;
    };
    expect(miot.type).toBe('urn:miot-spec-v2:device:outlet:0000A002:acme-p9:2:0000C802');
    expect(miot.services[3]?.properties[0]?.unit).toBe('kWh');
    expect(miot.services[4]?.properties[3]?.unit).toBe('μg/m3');
    const out = join(dir, 'back.json');
    expect((await runCli(['spec', 'export', 'miot', imported, '--out', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(res.stdout);
  });

  it('exports a hand-written example, and refuses an invalid document', async () => {
    const example = fileURLToPath(new URL('../../examples/models/acme.switch.s3.json', import.meta.url));
    const res = await runCli(['spec', 'export', 'miot', example]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('urn:miot-spec-v2:service:switch:0000780C');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"model": "x"}');
    const refused = await runCli(['spec', 'export', 'miot', broken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not a valid model document');
  });

  it.each([
    [['spec', 'import', 'yaml', 'x'], "unknown import format 'yaml'"],
    [['spec', 'import', 'miot'], 'needs at least one FILE'],
    [['spec', 'import', 'miot', 'a.json', 'b.json'], 'several FILEs need --out DIR'],
    [
      ['spec', 'import', 'miot', 'a.json', 'b.json', '--out', 'x', '--model', 'a.b.c'],
      '--model names one model',
    ],
    [['spec', 'import', 'miot', 'a.json', '--frob'], "Unknown option '--frob'"],
    [['spec', 'export', 'miot'], 'needs exactly one FILE'],
  ])('rejects %j with exit code 2', async (args, message) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });

  it('fails a file that is not there or not MIoT, naming it', async () => {
    const res = await runCli(['spec', 'import', 'miot', join(dir, 'missing.json')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('missing.json does not exist');
  });
});
