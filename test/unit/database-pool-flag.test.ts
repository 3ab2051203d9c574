import { describe, expect, it } from 'vitest';
import { serveOptions } from '../../src/cli/serve.js';

const PG = 'postgres://hub:secret@db.example:5432/ecohub';

/** `ecohub serve --database-pool-size N` / ECOHUB_DATABASE_POOL_SIZE: PostgreSQL only, 1 to 1000. */
describe('database pool size flag', () => {
  it('reads the size from the flag or the variable, the flag first; none leaves the default', () => {
    const flag = serveOptions(['--database', PG, '--database-pool-size', '25'], {
      ECOHUB_DATABASE_POOL_SIZE: '40',
    });
    expect(flag !== 'help' && flag.databasePoolSize).toBe(25);
    const env = serveOptions([], { ECOHUB_DATABASE_URL: PG, ECOHUB_DATABASE_POOL_SIZE: '40' });
    expect(env !== 'help' && env.databasePoolSize).toBe(40);
    const none = serveOptions(['--database', PG], {});
    expect(none !== 'help' && none.databasePoolSize).toBeUndefined();
  });

  it('refuses a bad size or a SQLite database, naming the flag (or variable) and the rule', () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [
        ['--database', PG, '--database-pool-size', '0'],
        {},
        /--database-pool-size must be a whole number from 1 to 1000, got '0'/,
      ],
      [
        ['--database', PG, '--database-pool-size', '1001'],
        {},
        /--database-pool-size must be a whole number from 1 to 1000/,
      ],
      [['--database', PG, '--database-pool-size', 'ten'], {}, /--database-pool-size must be a whole number/],
      [
        ['--database', PG],
        { ECOHUB_DATABASE_POOL_SIZE: '2.5' },
        /ECOHUB_DATABASE_POOL_SIZE must be a whole number/,
      ],
      [
        ['--database-pool-size', '5'],
        {},
        /--database-pool-size sizes the PostgreSQL pool: it needs --database postgres:/,
      ],
      [
        ['--database', 'sqlite:/tmp/x.db'],
        { ECOHUB_DATABASE_POOL_SIZE: '5' },
        /ECOHUB_DATABASE_POOL_SIZE sizes the PostgreSQL pool/,
      ],
    ];
    for (const [argv, env, message] of cases)
      expect(() => serveOptions(argv, env), argv.join(' ')).toThrow(message);
  });
});
