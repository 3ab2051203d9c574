/**
 * The PostgreSQL engine's pool keeps its connections between bursts: node-postgres closes a client
 * idle for 10 s by default, so a cluster node whose load comes in waves (a connect storm, a sweep)
 * started a new backend process every few seconds. The engine's idle timeout is minutes, and the
 * option is what the pool uses (a short one closes idle backends, the default keeps them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDLE_TIMEOUT_MS, PostgresEngine } from '../../src/store/postgres-engine.js';
import { sql } from '../../src/store/sql.js';
import { createTestDatabase, type TestDatabase } from '../support/engine.js';

describe('PostgreSQL pool', () => {
  let database: TestDatabase;
  const engines: PostgresEngine[] = [];
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await database?.drop();
  });

  function open(applicationName: string, idleTimeoutMs?: number): PostgresEngine {
    const engine = new PostgresEngine({
      url: database.url,
      target: 'test',
      applicationName,
      ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
    });
    engines.push(engine);
    return engine;
  }

  async function burst(engine: PostgresEngine, n: number): Promise<void> {
    await Promise.all(Array.from({ length: n }, () => engine.many(sql`SELECT pg_sleep(0.05)`)));
  }

  async function backends(on: PostgresEngine, applicationName: string): Promise<number> {
    const row = await on.one<{ n: number }>(
      sql`SELECT CAST(count(*) AS INTEGER) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = ${applicationName}`,
    );
    return row?.n ?? -1;
  }

  it('keeps its connections idle for minutes by default, and closes them after the timeout it is given', async () => {
    expect(IDLE_TIMEOUT_MS).toBeGreaterThanOrEqual(60_000);
    const kept = open('pool-kept');
    const short = open('pool-short', 100);
    await Promise.all([burst(kept, 4), burst(short, 4)]);
    expect(await backends(kept, 'pool-kept')).toBe(4);
    // The short pool's idle clients go; the bound is a deadline, not a sleep.
    const deadline = Date.now() + 10_000;
    while ((await backends(kept, 'pool-short')) > 0) {
      if (Date.now() > deadline) throw new Error('idle connections of pool-short were never closed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Meanwhile the default pool kept every backend it opened (the count query reuses one of them).
    expect(await backends(kept, 'pool-kept')).toBe(4);
  });
});
