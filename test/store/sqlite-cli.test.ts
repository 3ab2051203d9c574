import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServe } from '../support/cli.js';
import { httpRequester, newUser, tempDir } from '../support/hub.js';

describe('ecohub serve --database sqlite:PATH', () => {
  const stops: Array<() => void> = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  it('keeps the hub in the named file instead of DATA_DIR/ecohub.db', { timeout: 90_000 }, async () => {
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
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT email FROM users WHERE id = ?').get(user.id)).toEqual({ email: user.email });
    } finally {
      db.close();
    }
  });
});
