import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { parseDatabaseUrl } from '../../src/store/database-url.js';
import { runMigrations } from '../../src/store/migration-runner.js';
import { openEngine } from '../../src/store/open.js';
import postgresSetup from '../support/postgres-setup.js';

/**
 * Global setup of `npm run test:cluster`, PostgreSQL half: the checks and the unprivileged role of
 * test/support/postgres-setup.ts, plus one migrated template database. Each test cluster's database
 * is a copy of it (CREATE DATABASE ... TEMPLATE), so a cluster starts without running the whole
 * migration history again: the suite's minutes go to the cluster, not to migrations.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const teardown = await postgresSetup(project);
  const admin = process.env['ECOHUB_TEST_POSTGRES_URL'] ?? '';
  const capture = project.provide as unknown as (key: string, value: unknown) => void;
  // Read back what postgres-setup provided (the role the hubs log in as).
  const { role, password } = (
    project.getProvidedContext() as unknown as Record<string, { role: string; password: string }>
  )['postgresApp'] as { role: string; password: string };
  const name = `ecohub_cluster_tpl_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name} OWNER ${role}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.username = role;
  url.password = password;
  url.pathname = `/${name}`;
  const engine = await openEngine(parseDatabaseUrl(url.toString()), { poolSize: 2 });
  try {
    await runMigrations(engine);
  } finally {
    await engine.close();
  }
  capture('clusterTemplate', name);
  return async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
    await teardown();
  };
}
