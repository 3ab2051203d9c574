import { describe, expect, it } from 'vitest';
import { DatabaseUrlError, describeTarget, parseDatabaseUrl } from '../../src/store/database-url.js';
import { checkServerVersion } from '../../src/store/open.js';

describe('database URLs', () => {
  it('reads sqlite:PATH, relative or absolute', () => {
    expect(parseDatabaseUrl('sqlite:./data/ecohub.db')).toEqual({ kind: 'sqlite', file: './data/ecohub.db' });
    expect(parseDatabaseUrl('sqlite:///srv/hub.db')).toEqual({ kind: 'sqlite', file: '/srv/hub.db' });
    expect(parseDatabaseUrl('sqlite:/srv/hub.db')).toEqual({ kind: 'sqlite', file: '/srv/hub.db' });
  });

  it('reads postgres URLs and describes them without the password', () => {
    const target = parseDatabaseUrl('postgresql://hub:p%40ss%3Aword@db.example:6432/ecohub?sslmode=require');
    expect(target).toMatchObject({
      kind: 'postgres',
      where: { host: 'db.example', port: 6432, database: 'ecohub', user: 'hub' },
    });
    expect(describeTarget(target)).toBe('postgres://hub@db.example:6432/ecohub');
    expect(describeTarget(parseDatabaseUrl('postgres://[::1]/x'))).toBe('postgres://[::1]:5432/x');
    // A Unix socket folder as host, the way node-postgres takes it.
    expect(describeTarget(parseDatabaseUrl('postgres:///hub?host=/var/run/postgresql&user=me'))).toBe(
      'postgres://me@%2Fvar%2Frun%2Fpostgresql:5432/hub',
    );
  });

  it('refuses other schemes, an empty path and a memory database, never echoing the URL', () => {
    const refuse = (url: string) => {
      try {
        parseDatabaseUrl(url);
        return 'accepted';
      } catch (err) {
        expect(err).toBeInstanceOf(DatabaseUrlError);
        return (err as Error).message;
      }
    };
    expect(refuse('mysql://root:s3cret@db/x')).toMatch(/unsupported database scheme 'mysql:'/);
    expect(refuse('sqlite:')).toMatch(/names no file/);
    expect(refuse('sqlite::memory:')).toMatch(/would lose everything/);
    expect(refuse('postgres:///ecohub')).toMatch(/names no host/);
    expect(refuse('postgres://user:s3cret@')).toMatch(/not a valid URL/);
    expect(refuse('postgres://user:s3cret@host:99999/x')).toMatch(/not a valid URL/);
    expect(refuse('postgres://user:s3cret@host:99999/x')).not.toContain('s3cret');
    expect(refuse('just-a-path.db')).toMatch(/not a database URL/);
  });

  it('refuses a PostgreSQL server older than 15, naming it', () => {
    expect(() => checkServerVersion(140011, '14.11', 'postgres://hub@db:5432/ecohub')).toThrow(
      'PostgreSQL at postgres://hub@db:5432/ecohub is version 14.11; ecohub needs PostgreSQL 15 or newer',
    );
    expect(() => checkServerVersion(150000, '15.0', 'x')).not.toThrow();
    expect(() => checkServerVersion(Number.NaN, '?', 'x')).toThrow(/needs PostgreSQL 15/);
  });
});
