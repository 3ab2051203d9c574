import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, spawnServe } from '../support/cli.js';
import { newUser, startHub, tempDir } from '../support/hub.js';

describe('ecohub CLI', () => {
  it('lists every serve option in --help', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const serve = await runCli(['serve', '--help']);
    expect(serve.code).toBe(0);
    for (const flag of [
      '--data-dir',
      '--host',
      '--http-port',
      '--mqtt-port',
      '--public-url',
      '--log-level',
    ]) {
      expect(top.stdout).toContain(flag);
      expect(serve.stdout).toContain(flag);
    }
    for (const env of ['ECOHUB_DATA_DIR', 'ECOHUB_HTTP_PORT', 'ECOHUB_MQTT_PORT', 'ECOHUB_ADMIN_TOKEN']) {
      expect(serve.stdout).toContain(env);
    }
  });

  it.each([
    [['serve', '--http-port', 'abc'], '--http-port must be a port number'],
    [['serve', '--mqtt-port', '70000'], '--mqtt-port must be a port number'],
    [['serve', '--log-level', 'loud'], '--log-level must be one of'],
    [['serve', '--public-url', 'ftp://x'], '--public-url must be an http or https URL'],
    [['serve', '--bogus'], "Unknown option '--bogus'"],
    [['serve', '--http-port'], "'--http-port"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['backup'], 'backup needs exactly one FILE'],
  ])('rejects %j with a message naming the problem', async (args, message) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });

  it('rejects a bad port given by environment variable, naming the variable', async () => {
    const res = await runCli(['serve'], { ECOHUB_HTTP_PORT: '-1' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('ECOHUB_HTTP_PORT must be a port number');
  });

  it('lints the example models (exit 0) and a broken file (exit 1, every violation printed)', async () => {
    const examples = readdirSync(fileURLToPath(new URL('../../examples/models/', import.meta.url)))
      .filter((f) => f.endsWith('.json'))
      .map((f) => fileURLToPath(new URL(`../../examples/models/${f}`, import.meta.url)));
    const ok = await runCli(['spec', 'lint', ...examples]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const broken = join(tempDir(), 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({
        model: 'acme.light.Bad_Code',
        specVersion: 0,
        name: {},
        category: 'light',
        services: [],
        extra: true,
      }),
    );
    const bad = await runCli(['spec', 'lint', broken]);
    expect(bad.code).toBe(1);
    for (const path of ['/model', '/specVersion', '/name/en', '/extra'])
      expect(bad.stdout, path).toContain(path);
    const json = await runCli(['spec', 'lint', '--json', broken]);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as Array<{ ok: boolean; violations: unknown[] }>;
    expect(parsed[0]?.ok).toBe(false);
    expect(parsed[0]?.violations.length).toBeGreaterThanOrEqual(4);
  });

  it('takes an online backup of a running hub that opens as a database', async () => {
    const hub = await startHub();
    try {
      await newUser(hub, 'backup@example.com');
      const target = join(tempDir(), 'copy.db');
      const res = await runCli(['backup', target, '--data-dir', hub.dataDir]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain('backup written');
      const copy = new Database(target, { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('SELECT email FROM users').all()).toEqual([{ email: 'backup@example.com' }]);
      copy.close();
      const again = await runCli(['backup', target, '--data-dir', hub.dataDir]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('--force');
    } finally {
      await hub.stop();
    }
  });

  it('mints an operator token the running hub accepts', async () => {
    const hub = await startHub();
    try {
      const res = await runCli(['admin', 'token', '--data-dir', hub.dataDir, '--label', 'ci']);
      expect(res.code, res.stderr).toBe(0);
      const token = res.stdout.trim();
      expect(token).toMatch(/^eo_[0-9a-f]{16}_\S+$/);
      // A valid operator token reaches the role check (403 on a user route); a bad one stops at 401.
      expect((await hub.request('GET', '/v1/me', { token })).status).toBe(403);
      expect((await hub.request('GET', '/v1/me', { token: `${token}x` })).status).toBe(401);
    } finally {
      await hub.stop();
    }
  });

  it('serves, prints the bootstrap operator token once, and exits 0 on SIGTERM with the database intact', async () => {
    const dataDir = tempDir();
    const env = { ECOHUB_DATA_DIR: dataDir, ECOHUB_ADMIN_TOKEN: '' };
    const hub = await spawnServe([], env);
    // The banner goes to stderr, after the "hub listening" line on stdout: wait for it.
    expect(await hub.waitForOutput(/shown only this once[\s\S]*eo_[0-9a-f]{16}_/)).toMatch(
      /shown only this once/,
    );
    const base = `http://127.0.0.1:${hub.httpPort}`;
    const reg = await fetch(`${base}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sigterm@example.com', password: 'correct horse battery' }),
    });
    expect(reg.status).toBe(201);
    hub.child.kill('SIGTERM');
    expect(await hub.exited()).toBe(0);
    expect(hub.output()).not.toContain('correct horse battery');

    const db = new Database(join(dataDir, 'ecohub.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 1 });
    db.close();

    const second = await spawnServe([], env);
    expect(second.output()).not.toContain('shown only this once');
    second.child.kill('SIGINT');
    expect(await second.exited()).toBe(0);
    expect(existsSync(join(dataDir, 'ecohub.db'))).toBe(true);
  });
});
