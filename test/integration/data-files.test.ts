import { chmodSync, existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { newUser, startHub, tempDir } from '../support/hub.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('data files are private to the hub', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates the data folder 0700 and the database, -wal and -shm 0600, and backups 0600', {
    timeout: 60_000,
  }, async () => {
    const parent = tempDir();
    dirs.push(parent);
    const dataDir = join(parent, 'nested', 'data');
    const hub = await startHub({ dataDir });
    try {
      await newUser(hub);
      expect(mode(dataDir)).toBe('700');
      const db = join(dataDir, 'ecohub.db');
      for (const file of [db, `${db}-wal`, `${db}-shm`]) {
        expect(existsSync(file), file).toBe(true);
        expect(mode(file), file).toBe('600');
      }
      const target = join(parent, 'backup.db');
      const res = await runCli(['backup', target, '--data-dir', dataDir]);
      expect(res.code, res.stderr).toBe(0);
      expect(mode(target)).toBe('600');
      const forced = await runCli(['backup', target, '--data-dir', dataDir, '--force']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(mode(target)).toBe('600');
    } finally {
      await hub.stop();
    }
  });

  it('tightens a database an older hub left readable by everyone', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const first = await startHub({ dataDir });
    await first.stop();
    const db = join(dataDir, 'ecohub.db');
    chmodSync(db, 0o644);
    const second = await startHub({ dataDir });
    try {
      expect(mode(db)).toBe('600');
      for (const file of [`${db}-wal`, `${db}-shm`]) {
        if (existsSync(file)) expect(mode(file), file).toBe('600');
      }
    } finally {
      await second.stop();
    }
  });
});
