import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Cleanup } from '../cleanup.js';

/**
 * The servers the cluster bench needs, started by it and stopped at the end: a throwaway
 * PostgreSQL (scripts/pg-test-server.mjs, as `npm run test:postgres` uses) and a redis-server on a
 * free loopback port with no persistence (as `npm run test:cluster` starts it). Missing binaries
 * fail the bench with how to get them, never skip it.
 */

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function findRedisServer(): string {
  const named = process.env['ECOHUB_REDIS_SERVER'];
  if (named) {
    if (!existsSync(named)) throw new Error(`ECOHUB_REDIS_SERVER=${named} does not exist`);
    return named;
  }
  for (const dir of (process.env['PATH'] ?? '')
    .split(':')
    .concat(['/usr/bin', '/usr/sbin', '/usr/local/bin'])) {
    if (dir && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  throw new Error(
    'redis-server was not found: the cluster bench needs it (apt-get install redis-server, or set ECOHUB_REDIS_SERVER)',
  );
}

export interface RedisServer {
  readonly url: string;
  readonly pid: number;
  readonly version: string;
  readonly client: Redis;
  /** Commands processed since the server started (INFO stats). */
  commands(): Promise<number>;
}

export async function startRedis(cleanup: Cleanup): Promise<RedisServer> {
  const binary = findRedisServer();
  const version = (/v=(\S+)/.exec(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout)?.[1] ??
    'unknown') as string;
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxclients',
      '10000',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  cleanup.child(child);
  let output = '';
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-2000);
  });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (n) => (n > 50 ? null : 100) });
  client.on('error', () => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output}`);
    try {
      await client.ping();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer within 10 s: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  cleanup.add('redis-server', async () => {
    client.disconnect();
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });
  return {
    url,
    pid: child.pid ?? 0,
    version,
    client,
    async commands() {
      const info = await client.info('stats');
      return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? Number.NaN);
    },
  };
}

export interface PgCounters {
  readonly transactions: number;
  readonly inserted: number;
  readonly updated: number;
  readonly walBytes: number;
  /** Backends started on the database (pg_stat_database.sessions, PostgreSQL 14+). */
  readonly sessions: number;
}

export interface PostgresServer {
  /** The database the nodes share (superuser URL). */
  readonly url: string;
  readonly version: string;
  readonly pool: pg.Pool;
  /** The postmaster and its children (backends, WAL writer, checkpointer...). */
  pids(): number[];
  counters(): Promise<PgCounters>;
}

export async function startPostgres(root: string, cleanup: Cleanup): Promise<PostgresServer> {
  // A folder the script creates itself: as root it hands it to the postgres user.
  const dir = join(tmpdir(), `ecohub-bench-pg-${randomBytes(6).toString('hex')}`);
  const script = join(root, 'scripts', 'pg-test-server.mjs');
  const started = spawnSync(process.execPath, [script, 'start', '--dir', dir], { encoding: 'utf8' });
  if (started.status !== 0) {
    throw new Error(`could not start PostgreSQL (scripts/pg-test-server.mjs):\n${started.stderr}`);
  }
  const dataDir = join(dir, 'data');
  cleanup.add('postgresql', async () => {
    await pool.end().catch(() => undefined);
    spawnSync(process.execPath, [script, 'stop', dir], { stdio: 'ignore' });
  });
  const admin = new URL(started.stdout.trim());
  const setup = new pg.Client({ connectionString: admin.toString() });
  await setup.connect();
  let version = 'unknown';
  try {
    await setup.query('CREATE DATABASE ecohub_bench');
    version = String((await setup.query('SHOW server_version')).rows[0]?.server_version ?? 'unknown');
  } finally {
    await setup.end();
  }
  admin.pathname = '/ecohub_bench';
  const url = admin.toString();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  const postmaster = (): number => {
    try {
      return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return 0;
    }
  };
  return {
    url,
    version,
    pool,
    pids() {
      const root = postmaster();
      if (root === 0) return [];
      const out = [root];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          if (ppid === root) out.push(Number(entry));
        } catch {
          // gone meanwhile
        }
      }
      return out;
    },
    async counters() {
      const { rows } = await pool.query(
        `SELECT (xact_commit + xact_rollback)::text AS x, tup_inserted::text AS i, tup_updated::text AS u,
                pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS w, sessions::text AS s
           FROM pg_stat_database WHERE datname = current_database()`,
      );
      const r = rows[0] as { x: string; i: string; u: string; w: string; s: string } | undefined;
      return {
        transactions: Number(r?.x ?? Number.NaN),
        inserted: Number(r?.i ?? Number.NaN),
        updated: Number(r?.u ?? Number.NaN),
        walBytes: Number(r?.w ?? Number.NaN),
        sessions: Number(r?.s ?? Number.NaN),
      };
    },
  };
}
