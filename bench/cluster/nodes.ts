import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from '../cleanup.js';
import { HubApi } from '../setup.js';

/**
 * A hub node as the operator runs it: `ecohub serve --cluster redis://... --database postgres://...`
 * in its own process, on fixed ports (so a node the supervisor restarts after a kill -9 comes
 * back where devices and the load balancer expect it).
 */
export interface NodeOptions {
  readonly root: string;
  readonly adminToken: string;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly id: string;
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly maxConnections: number;
  readonly progress: (line: string) => void;
  /** Node.js flags for the hub process (e.g. --cpu-prof). */
  readonly execArgv?: readonly string[];
}

export interface HubNode {
  readonly id: string;
  readonly pid: number;
  readonly api: HubApi;
  readonly mqttPort: number;
  readonly startMs: number;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

function tail(path: string, lines = 10): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function startNode(o: NodeOptions, cleanup: Cleanup): Promise<HubNode> {
  const started = performance.now();
  const base = mkdtempSync(join(tmpdir(), `ecohub-bench-${o.id}-`));
  const removeDir = cleanup.dir(base);
  const logPath = join(base, 'hub.log');
  const out = openSync(logPath, 'a');
  const child = spawn(
    process.execPath,
    [
      ...(o.execArgv ?? []),
      join(o.root, 'dist', 'src', 'cli', 'main.js'),
      'serve',
      '--cluster',
      o.redisUrl,
      '--node-id',
      o.id,
      '--database',
      o.databaseUrl,
      '--data-dir',
      join(base, 'data'),
      '--host',
      '127.0.0.1',
      '--http-port',
      String(o.httpPort),
      '--mqtt-port',
      String(o.mqttPort),
      '--max-connections',
      String(o.maxConnections),
      // 78,000 devices come from a handful of loopback source addresses here, where each real
      // device has its own: the per-address admission limits would measure the bench's addresses.
      '--connect-rate-per-address',
      '1000000',
      '--max-pending-per-address',
      '1000000',
      // One phone sends every round trip back to back (a real phone gets 20 a second).
      '--command-rate',
      '100000',
      '--log-level',
      'warn',
    ],
    {
      cwd: base,
      env: { ...process.env, ECOHUB_ADMIN_TOKEN: o.adminToken, NODE_OPTIONS: '' },
      stdio: ['ignore', out, out],
    },
  );
  closeSync(out);
  cleanup.child(child);
  let exited: string | undefined;
  let stopping = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ?? `code ${code}`;
      if (!stopping) o.progress(`node ${o.id} exited unexpectedly (${exited}):\n${tail(logPath)}`);
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    stopping = true;
    unregister();
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    removeDir();
  };
  const unregister = cleanup.add(`node ${o.id}`, stop);
  const api = new HubApi(`http://127.0.0.1:${o.httpPort}`, o.adminToken);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`node ${o.id} exited (${exited}) while starting:\n${tail(logPath)}`);
    }
    try {
      const res = await fetch(`${api.baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`node ${o.id} was not ready within 120 s:\n${tail(logPath)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    id: o.id,
    pid: child.pid ?? 0,
    api,
    mqttPort: o.mqttPort,
    startMs: performance.now() - started,
    async kill9() {
      stopping = true;
      if (exited === undefined) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
      unregister();
      removeDir();
    },
    stop,
  };
}
