import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnServe } from '../support/cli.js';
import { httpRequester, newUser, tempDir } from '../support/hub.js';

describe('ecohub serve, admin token and backup with --database sqlite:PATH', () => {
  const stops: Array<() => void> = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  it('keeps the hub in the named file instead of DATA_DIR/ecohub.db', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const file = join(dir, 'elsewhere', 'hub.sqlite');
    const hub = await spawnServe(
      ['--data-dir', join(dir, 'data'), '--database', `sqlite:${file}`],
      {
        ECOHUB_ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
      },
      60_000,
    );
    stops.push(() => hub.child.kill('SIGKILL'));
    const user = await newUser({ request: httpRequester(`http://127.0.0.1:${hub.httpPort}`) });
    hub.child.kill('SIGTERM');
    expect(await hub.exited()).toBe(0);
    expect(hub.output()).toContain(`database      sqlite:${file}`);
    expect(existsSync(join(dir, 'data', 'ecohub.db'))).toBe(false);
    // The other commands that work on the file follow --database (or ECOHUB_DATABASE_URL) too.
    const minted = await runCli(
      ['admin', 'token', '--label', 'ops'],
      { ECOHUB_DATABASE_URL: `sqlite:${file}` },
      60_000,
    );
    expect(minted.code, minted.stderr).toBe(0);
    const copy = join(dir, 'copy.db');
    const backup = await runCli(['backup', copy, '--database', `sqlite:${file}`], {}, 60_000);
    expect(backup.code, backup.stderr).toBe(0);
    const db = new Database(copy, { readonly: true });
    try {
      expect(db.prepare('SELECT email FROM users WHERE id = ?').get(user.id)).toEqual({ email: user.email });
      expect(db.prepare("SELECT count(*) AS n FROM admin_tokens WHERE label = 'ops'").get()).toEqual({
        n: 1,
      });
    } finally {
      db.close();
    }
  });
});
