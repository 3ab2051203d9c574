import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubInput } from '../../src/config.js';
import { createHub, type Hub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { parseDatabaseUrl } from '../../src/store/database-url.js';
import { createTestDatabase, type TestDatabase, testEngineKind } from './engine.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestHub extends Hub {
  readonly dataDir: string;
  /** The database the hub runs on, for CLI commands that must reach it: ECOHUB_DATABASE_URL. */
  readonly cliEnv: { readonly ECOHUB_DATABASE_URL?: string };
  /** JSON request against the hub; `token` becomes a bearer header. */
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<TestResponse>;
  /** Closes the hub and removes its data folder. */
  stop(): Promise<void>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body, typed loosely for assertions. */
  readonly body: Record<string, unknown> & { errors?: Array<{ path: string; message: string }> };
}

/** Anything tests can send REST requests to: an in-process hub or a spawned `ecohub serve`. */
export interface HttpHub {
  request: TestHub['request'];
}

type RequestOptions = { body?: unknown; token?: string; headers?: Record<string, string> };

/** JSON requests against a base URL; `token` becomes a bearer header. */
export function httpRequester(baseUrl: string): TestHub['request'] {
  return async (method: string, path: string, opts: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let parsed: TestResponse['body'] = {};
    try {
      parsed = text ? (JSON.parse(text) as TestResponse['body']) : {};
    } catch {
      parsed = {};
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };
}

export function tempDir(prefix = 'ecohub-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Where a data folder given to startHub remembers its PostgreSQL database, so a restart finds it. */
const DATABASE_NOTE = 'test-database.json';

/**
 * A real hub on 127.0.0.1, ports chosen by the OS, data in a fresh temp folder, logs silent. With
 * ECOHUB_TEST_ENGINE=postgres its state goes to a fresh PostgreSQL database, dropped at stop(); a
 * hub started again on a data folder (a restart, its own `hub.dataDir` included) finds that
 * folder's database again, which lives until the suite's teardown drops it
 * (test/support/postgres-setup.ts).
 */
export async function startHub(overrides: HubInput & { dataDir?: string } = {}): Promise<TestHub> {
  const dataDir = overrides.dataDir ?? tempDir();
  let database: TestDatabase | undefined;
  let dropAtStop = true;
  if (overrides.database === undefined && testEngineKind() === 'postgres') {
    const note = join(dataDir, DATABASE_NOTE);
    if (overrides.dataDir !== undefined && existsSync(note)) {
      const url = (JSON.parse(readFileSync(note, 'utf8')) as { url: string }).url;
      database = { url, target: parseDatabaseUrl(url), drop: async () => undefined };
    } else {
      database = await createTestDatabase('postgres');
      // Every data folder remembers its database, the fresh ones too: a test that close()s a hub
      // and starts another on `hub.dataDir` restarts on the same state, as it would on SQLite.
      writeFileSync(note, JSON.stringify({ url: database.url }), { mode: 0o600 });
    }
    dropAtStop = overrides.dataDir === undefined;
  }
  let hub: Hub;
  try {
    hub = await createHub({
      host: '127.0.0.1',
      httpPort: 0,
      mqttPort: 0,
      logger: createLogger(process.env['ECOHUB_TEST_LOG'] === '1' ? 'debug' : 'silent'),
      adminToken: ADMIN_TOKEN,
      // Models in tests are certified by override; the certification tests turn the firmware gate on.
      certificationFirmwareGate: false,
      ...(database ? { database: database.target } : {}),
      ...overrides,
      dataDir,
    });
  } catch (err) {
    if (dropAtStop) await database?.drop();
    throw err;
  }
  return Object.assign(Object.create(hub) as Hub, hub, {
    dataDir,
    cliEnv: database ? { ECOHUB_DATABASE_URL: database.url } : {},
    request: httpRequester(hub.httpUrl),
    async stop() {
      await hub.close();
      if (dropAtStop) await database?.drop();
      if (overrides.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  }) as TestHub;
}

let counter = 0;
/** Registers and logs in a fresh user; returns its id and access token. */
export async function newUser(hub: HttpHub, email = `user${++counter}-${Date.now()}@example.com`) {
  const password = 'correct horse battery';
  const reg = await hub.request('POST', '/v1/auth/register', { body: { email, password } });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`);
  const login = await hub.request('POST', '/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { id: String(reg.body['id']), email, password, token: String(login.body['token']) };
}

/** Resolves with the first registry event of `name` that satisfies `match`, or rejects after `timeoutMs`. */
export function nextEvent<K extends keyof import('../../src/registry/events.js').RegistryEvents>(
  hub: Hub,
  name: K,
  match: (payload: import('../../src/registry/events.js').RegistryEvents[K][0]) => boolean,
  timeoutMs = 5000,
): Promise<import('../../src/registry/events.js').RegistryEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const listener = (payload: import('../../src/registry/events.js').RegistryEvents[K][0]) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      hub.events.off(name, listener as never);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      hub.events.off(name, listener as never);
      reject(new Error(`no ${String(name)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    hub.events.on(name, listener as never);
  });
}

/** Parses the Prometheus text at /metrics into `name{labels}` -> value. */
export async function scrapeMetrics(hub: TestHub): Promise<Map<string, number>> {
  const res = await fetch(`${hub.httpUrl}/metrics`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
