import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from 'pino';
import {
  checkChannel,
  checkPayload,
  DatabaseError,
  type DatabaseErrorKind,
  type Engine,
  type Isolation,
  type NotificationHandler,
  type Row,
  type RunResult,
  type Subscription,
  type Transaction,
  type TransactionOptions,
} from './engine.js';
import { PostgresListener } from './postgres-listener.js';
import { hubTypes } from './postgres-types.js';
import { compile, type Sql, sql } from './sql.js';

export interface PostgresEngineOptions {
  readonly url: string;
  /** For messages and logs: the URL without its password (database-url.ts describeTarget). */
  readonly target: string;
  /** Pooled connections (default 10). */
  readonly poolSize?: number;
  /** How long a pooled connection may sit idle before it is closed (default 5 minutes). */
  readonly idleTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly log?: Logger;
  /** Shown in pg_stat_activity. */
  readonly applicationName?: string;
}

const PG_KINDS: Record<string, DatabaseErrorKind> = {
  '23505': 'unique',
  '23503': 'foreign-key',
  '23502': 'not-null',
  '23514': 'check',
  // raise_exception: the append-only and closed-month triggers.
  P0001: 'refused',
  '40001': 'serialization',
  '40P01': 'deadlock',
  '57P01': 'connection',
  '57P02': 'connection',
  '57P03': 'connection',
};

function wrap(err: unknown): unknown {
  if (err instanceof DatabaseError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return err;
  const kind = PG_KINDS[code] ?? (code.startsWith('08') ? 'connection' : undefined);
  if (kind) return new DatabaseError(kind, err.message, { cause: err });
  if (err instanceof pg.DatabaseError) return new DatabaseError('other', err.message, { cause: err });
  return err;
}

const ISOLATION: Record<Isolation, string> = {
  'read committed': 'READ COMMITTED',
  'repeatable read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

/** A pooled connection idle this long is closed (node-postgres' default is 10 s). */
export const IDLE_TIMEOUT_MS = 5 * 60_000;

/** The server version is checked separately (openEngine); this only builds the pool. */
export class PostgresEngine implements Engine {
  readonly dialect = 'postgres' as const;
  readonly target: string;
  serverVersion = '';
  readonly #pool: pg.Pool;
  readonly #listener: PostgresListener;
  readonly #log: Logger | undefined;
  #closed = false;

  constructor(options: PostgresEngineOptions) {
    this.target = options.target;
    this.#log = options.log;
    const config: pg.ClientConfig = {
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: options.applicationName ?? 'ecohub',
      types: hubTypes,
    };
    // node-postgres closes a connection idle for 10 s by default: a node whose load comes in waves
    // (connect storms, report bursts, a sweep) closed and reopened backends every few seconds, each
    // a new PostgreSQL process, its authentication and cold caches. A pool of 10 is small beside
    // max_connections, so a busy node keeps its connections; one idle for 5 minutes still goes.
    this.#pool = new pg.Pool({
      ...config,
      max: options.poolSize ?? 10,
      idleTimeoutMillis: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
    });
    // An idle client losing its connection (server restart) must not crash the process; the pool
    // discards it and opens a new one on demand.
    this.#pool.on('error', (err) => this.#log?.warn({ err }, 'an idle database connection failed'));
    this.#listener = new PostgresListener({
      config: { ...config, application_name: `${config.application_name}-listen` },
      log: options.log,
    });
  }

  #open(): void {
    if (this.#closed) throw new Error('the database engine is closed');
  }

  async #query(on: pg.Pool | pg.PoolClient, query: Sql): Promise<pg.QueryResult<Row>> {
    const { text, params } = compile(query, 'postgres');
    try {
      return await on.query<Row>({ text, values: params as unknown[] });
    } catch (err) {
      throw wrap(err);
    }
  }

  async many<T extends object = Row>(query: Sql): Promise<T[]> {
    this.#open();
    return (await this.#query(this.#pool, query)).rows as T[];
  }

  async one<T extends object = Row>(query: Sql): Promise<T | undefined> {
    this.#open();
    return (await this.#query(this.#pool, query)).rows[0] as T | undefined;
  }

  async run<T extends object = Row>(query: Sql): Promise<RunResult<T>> {
    this.#open();
    const result = await this.#query(this.#pool, query);
    return { changes: result.rowCount ?? 0, rows: result.rows as T[] };
  }

  async notify(channel: string, payload: string): Promise<void> {
    this.#open();
    checkChannel(channel);
    checkPayload(payload);
    await this.#query(this.#pool, sql`SELECT pg_notify(${channel}, ${payload})`);
  }

  async exec(script: string): Promise<void> {
    this.#open();
    try {
      await this.#pool.query(script);
    } catch (err) {
      throw wrap(err);
    }
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.#open();
    const isolation = options.isolation ?? 'read committed';
    const retries = options.retries ?? (isolation === 'serializable' ? 5 : 0);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#attempt(fn, isolation);
      } catch (err) {
        const retryable =
          err instanceof DatabaseError && (err.kind === 'serialization' || err.kind === 'deadlock');
        if (!retryable || attempt >= retries) throw err;
        this.#log?.debug(
          { attempt, kind: err.kind },
          'transaction aborted by the database: running it again',
        );
        // Jittered, growing: two transactions that collided should not collide again.
        await sleep(Math.random() * 10 * 2 ** attempt);
      }
    }
  }

  async #attempt<T>(fn: (tx: Transaction) => Promise<T>, isolation: Isolation): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw wrap(err);
    }
    const token = { open: true };
    const check = () => {
      if (!token.open)
        throw new Error('the transaction is over: queries must finish before its callback returns');
    };
    const tx: Transaction = {
      dialect: 'postgres',
      many: async <R extends object>(query: Sql) => {
        check();
        return (await this.#query(client, query)).rows as R[];
      },
      one: async <R extends object>(query: Sql) => {
        check();
        return (await this.#query(client, query)).rows[0] as R | undefined;
      },
      run: async <R extends object>(query: Sql) => {
        check();
        const result = await this.#query(client, query);
        return { changes: result.rowCount ?? 0, rows: result.rows as R[] };
      },
      // Delivered by PostgreSQL at COMMIT, dropped on ROLLBACK.
      notify: async (channel: string, payload: string) => {
        check();
        checkChannel(channel);
        checkPayload(payload);
        await this.#query(client, sql`SELECT pg_notify(${channel}, ${payload})`);
      },
      exec: async (script: string) => {
        check();
        try {
          await client.query(script);
        } catch (err) {
          throw wrap(err);
        }
      },
    };
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${ISOLATION[isolation]}`);
      try {
        const result = await fn(tx);
        token.open = false;
        await client.query('COMMIT');
        return result;
      } catch (err) {
        token.open = false;
        await client.query('ROLLBACK').catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        throw err;
      }
    } catch (err) {
      throw wrap(err);
    } finally {
      // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
      client.release(broken);
    }
  }

  listen(channel: string, handler: NotificationHandler): Promise<Subscription> {
    checkChannel(channel);
    return this.#listener.subscribe(channel, handler);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#listener.close();
    await this.#pool.end();
  }
}
