import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub, tempDir } from '../support/hub.js';

type TokenItem = {
  id: string;
  label: string;
  source: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

async function listTokens(hub: TestHub, token: string, query = ''): Promise<TokenItem[]> {
  const res = await hub.request('GET', `/v1/operator-tokens${query}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body['items'] as TokenItem[];
}

/** The secret of `eo_<id>_<secret>`: base64url, so it may itself contain '_'. */
function secretPart(token: string): string {
  const m = /^eo_[^_]+_(.+)$/.exec(token);
  expect(m, token).not.toBeNull();
  const secret = m?.[1] ?? '';
  expect(secret.length).toBeGreaterThan(20);
  return secret;
}

describe('operator tokens', () => {
  const dirs: string[] = [];
  const hubs: TestHub[] = [];
  afterEach(async () => {
    for (const h of hubs.splice(0)) await h.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  async function hubOn(dataDir: string, adminToken: string | undefined) {
    const hub = await startHub({ dataDir, adminToken });
    hubs.push(hub);
    return hub;
  }
  function dataDir() {
    const dir = tempDir();
    dirs.push(dir);
    return dir;
  }

  it('keeps the token adopted from ECOHUB_ADMIN_TOKEN only while the variable is set', {
    timeout: 60_000,
  }, async () => {
    const dir = dataDir();
    const first = await hubOn(dir, ADMIN_TOKEN);
    expect((await first.request('GET', '/v1/operator-tokens', { token: ADMIN_TOKEN })).status).toBe(200);
    await first.close();

    const without = await hubOn(dir, undefined);
    const refused = await without.request('GET', '/v1/operator-tokens', { token: ADMIN_TOKEN });
    expect(refused.status).toBe(401);
    // The adopted token was the only one: a new one is minted so the operator is not locked out.
    const bootstrap = String(without.bootstrapAdminToken);
    expect(bootstrap).toMatch(/^eo_/);
    const items = await listTokens(without, bootstrap);
    expect(items.map((t) => t.source)).toEqual(['bootstrap']);
    await without.close();

    const again = await hubOn(dir, ADMIN_TOKEN);
    expect(again.bootstrapAdminToken).toBeUndefined();
    expect((await again.request('GET', '/v1/operator-tokens', { token: ADMIN_TOKEN })).status).toBe(200);
  });

  it('lists operator tokens without secrets, with source and last use, to operators only', async () => {
    const hub = await hubOn(dataDir(), ADMIN_TOKEN);
    const minted = await hub.request('POST', '/v1/operator-tokens', {
      token: ADMIN_TOKEN,
      body: { label: 'ci pipeline' },
    });
    expect(minted.status).toBe(201);
    const secret = String(minted.body['token']);
    expect(secret).toMatch(/^eo_[0-9a-f]{16}_/);
    expect(minted.body).toMatchObject({ label: 'ci pipeline', source: 'api', lastUsedAt: null });

    const list = await hub.request('GET', '/v1/operator-tokens', { token: secret });
    expect(list.status).toBe(200);
    expect(list.body['next']).toBeNull();
    const items = list.body['items'] as TokenItem[];
    expect(items.map((t) => [t.id, t.source, t.label])).toEqual([
      ['env', 'env', 'ECOHUB_ADMIN_TOKEN'],
      [minted.body['id'], 'api', 'ci pipeline'],
    ]);
    for (const t of items) {
      expect(Object.keys(t).sort()).toEqual([
        'createdAt',
        'id',
        'label',
        'lastUsedAt',
        'revokedAt',
        'source',
      ]);
      expect(t.lastUsedAt).not.toBeNull();
      expect(t.revokedAt).toBeNull();
    }
    expect(list.text).not.toContain(secretPart(secret));

    const user = await newUser(hub);
    expect((await hub.request('GET', '/v1/operator-tokens', { token: user.token })).status).toBe(403);
    expect((await hub.request('GET', '/v1/operator-tokens')).status).toBe(401);
  });

  it('pages the list with an opaque cursor', async () => {
    const hub = await hubOn(dataDir(), ADMIN_TOKEN);
    for (const label of ['a', 'b', 'c']) {
      await hub.request('POST', '/v1/operator-tokens', { token: ADMIN_TOKEN, body: { label } });
    }
    const first = await hub.request('GET', '/v1/operator-tokens?limit=3', { token: ADMIN_TOKEN });
    expect((first.body['items'] as TokenItem[]).map((t) => t.label)).toEqual([
      'ECOHUB_ADMIN_TOKEN',
      'a',
      'b',
    ]);
    const next = String(first.body['next']);
    const second = await hub.request('GET', `/v1/operator-tokens?limit=3&cursor=${next}`, {
      token: ADMIN_TOKEN,
    });
    expect((second.body['items'] as TokenItem[]).map((t) => t.label)).toEqual(['c']);
    expect(second.body['next']).toBeNull();
    const bad = await hub.request('GET', '/v1/operator-tokens?cursor=bm9wZQ', { token: ADMIN_TOKEN });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.path).toBe('/cursor');
  });

  it('revokes a token over REST: its next request is refused; a revoked ECOHUB_ADMIN_TOKEN stays revoked', {
    timeout: 60_000,
  }, async () => {
    const dir = dataDir();
    const hub = await hubOn(dir, ADMIN_TOKEN);
    const minted = await hub.request('POST', '/v1/operator-tokens', {
      token: ADMIN_TOKEN,
      body: { label: 'x' },
    });
    const secret = String(minted.body['token']);
    expect((await hub.request('GET', '/v1/operator-tokens', { token: secret })).status).toBe(200);
    const del = await hub.request('DELETE', `/v1/operator-tokens/${String(minted.body['id'])}`, {
      token: ADMIN_TOKEN,
    });
    expect(del.status).toBe(204);
    expect((await hub.request('GET', '/v1/operator-tokens', { token: secret })).status).toBe(401);
    expect(
      (await hub.request('DELETE', '/v1/operator-tokens/0123456789abcdef', { token: ADMIN_TOKEN })).status,
    ).toBe(404);

    // The adopted token can be revoked too, by itself; a restart with the same value does not revive it.
    const other = await hub.request('POST', '/v1/operator-tokens', {
      token: ADMIN_TOKEN,
      body: { label: 'y' },
    });
    const otherSecret = String(other.body['token']);
    expect((await hub.request('DELETE', '/v1/operator-tokens/env', { token: ADMIN_TOKEN })).status).toBe(204);
    expect((await hub.request('GET', '/v1/operator-tokens', { token: ADMIN_TOKEN })).status).toBe(401);
    await hub.close();
    const again = await hubOn(dir, ADMIN_TOKEN);
    expect((await again.request('GET', '/v1/operator-tokens', { token: ADMIN_TOKEN })).status).toBe(401);
    await again.close();
    const rotated = `${ADMIN_TOKEN}-rotated`;
    const third = await hubOn(dir, rotated);
    expect((await third.request('GET', '/v1/operator-tokens', { token: rotated })).status).toBe(200);
    const env = (await listTokens(third, otherSecret)).find((t) => t.id === 'env');
    expect(env).toMatchObject({ source: 'env', revokedAt: null });
  });

  // Four CLI processes, each a cold node start: slow on a loaded machine.
  it('lists and revokes operator tokens from the CLI while the hub runs', { timeout: 90_000 }, async () => {
    const hub = await hubOn(dataDir(), ADMIN_TOKEN);
    const minted = await runCli(
      ['admin', 'token', '--data-dir', hub.dataDir, '--label', 'from cli'],
      hub.cliEnv,
    );
    expect(minted.code, minted.stderr).toBe(0);
    const token = minted.stdout.trim();
    expect((await hub.request('GET', '/v1/operator-tokens', { token })).status).toBe(200);

    const listed = await runCli(['admin', 'tokens', '--data-dir', hub.dataDir, '--json'], hub.cliEnv);
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as TokenItem[];
    const row = rows.find((t) => t.label === 'from cli');
    expect(row).toMatchObject({ source: 'cli', revokedAt: null });
    expect(listed.stdout).not.toContain(secretPart(token));
    const text = await runCli(['admin', 'tokens', '--data-dir', hub.dataDir], hub.cliEnv);
    expect(text.stdout).toMatch(/^ID\s+SOURCE\s+LABEL/);

    const revoked = await runCli(['admin', 'revoke', String(row?.id), '--data-dir', hub.dataDir], hub.cliEnv);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await hub.request('GET', '/v1/operator-tokens', { token })).status).toBe(401);
    const unknown = await runCli(['admin', 'revoke', 'nope', '--data-dir', hub.dataDir], hub.cliEnv);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no operator token 'nope'");
  });
});
