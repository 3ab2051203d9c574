import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * Global setup of `npm run test:postgres`: checks ECOHUB_TEST_POSTGRES_URL reaches a PostgreSQL
 * server where it may create roles and databases, and creates the login role the tests' hubs use:
 * no superuser, no CREATEDB, no CREATEROLE, only the owner of the databases created for it. What
 * the tests pass with is what the hub needs in production (docs/operations.md).
 */

export const HOW_TO_GET_ONE = `
  Start a throwaway PostgreSQL 15+ server and point the suite at it:
    export ECOHUB_TEST_POSTGRES_URL=$(node scripts/pg-test-server.mjs start --dir /tmp/ecohub-pg)
    npm run test:postgres
    node scripts/pg-test-server.mjs stop /tmp/ecohub-pg
  (Debian/Ubuntu: apt-get install postgresql provides the server binaries.) Any server works if the
  URL's user may CREATE ROLE and CREATE DATABASE.`;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env['ECOHUB_TEST_POSTGRES_URL'];
  if (!url)
    throw new Error(
      `ECOHUB_TEST_POSTGRES_URL is not set: the PostgreSQL suite needs a server.${HOW_TO_GET_ONE}`,
    );
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    const why = err instanceof Error ? err.message || (err as { code?: string }).code : String(err);
    throw new Error(`ECOHUB_TEST_POSTGRES_URL does not reach a PostgreSQL server (${why}).${HOW_TO_GET_ONE}`);
  }
  const role = `ecohub_test_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(16).toString('hex');
  try {
    const version = await admin.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    if (Number(version.rows[0]?.v) < 150000) {
      throw new Error(
        `ECOHUB_TEST_POSTGRES_URL is PostgreSQL ${version.rows[0]?.v}: the hub needs 15 or newer.`,
      );
    }
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE`);
  } catch (err) {
    await admin.end();
    throw err;
  }
  await admin.end();
  (project.provide as unknown as (key: string, value: unknown) => void)('postgresApp', { role, password });
  return async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // Databases a crashed test left behind, then the role.
      const left = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1',
        [role],
      );
      for (const { datname } of left.rows) await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await client.end();
    }
  };
}
