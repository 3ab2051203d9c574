import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Cleanup } from './cleanup.js';
import { Generator } from './generator.js';
import { startHub } from './hub-process.js';
import { HubApi, metricSum, provisionFleet } from './setup.js';

/**
 * Where a hub's heap goes per idle connection (docs/benchmarks.md, "Memory per idle connection"):
 * a hub child process exactly as the bench runs it, N devices provisioned, a heap snapshot (which
 * collects garbage first) before and after one generator connects them all, self sizes summed per
 * V8 constructor (object nodes) or node type, the difference divided by N.
 *
 *   node dist/bench/heap-per-connection.js [--devices 3000] [--root DIR] [--top 25]
 *
 * `--root`: the checkout whose dist/src/cli/main.js runs the hub (default this one), so that two
 * builds can be compared with the same generator.
 */

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: unknown[] } };
  readonly nodes: number[];
  readonly strings: string[];
}

/** Self size per group: objects by constructor, closures by function name, the rest by node type. */
function sizes(path: string): Map<string, number> {
  const data = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0] as string[];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out = new Map<string, number>();
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt] as number] ?? '?';
    const name = data.strings[data.nodes[i + nameAt] as number] ?? '?';
    const key =
      type === 'object' || type === 'native'
        ? name
        : type === 'closure'
          ? `(closure) ${name || '(anonymous)'}`
          : type === 'hidden' || type === 'array' || type === 'object shape'
            ? `(${type}) ${name}`
            : `(${type})`;
    out.set(key, (out.get(key) ?? 0) + (data.nodes[i + sizeAt] as number));
  }
  return out;
}

function snapshots(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.heapsnapshot'))
    .map((f) => join(dir, f));
}

/** SIGUSR2 (--heapsnapshot-signal) and the file it wrote, once the hub answers again. */
async function snapshot(pid: number, dir: string, api: HubApi): Promise<string> {
  const before = new Set(snapshots(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 300_000;
  for (;;) {
    const written = snapshots(dir).find((f) => !before.has(f));
    if (written !== undefined) {
      // Answered only once the snapshot is written (the hub is single-threaded): tens of seconds.
      while (
        !(await api.metrics().then(
          () => true,
          () => false,
        ))
      ) {
        if (Date.now() > deadline) throw new Error('the hub did not answer within 300 s of the snapshot');
      }
      const size = statSync(written).size;
      await new Promise((r) => setTimeout(r, 500));
      if (statSync(written).size === size) return written;
    }
    if (Date.now() > deadline) throw new Error('no heap snapshot within 300 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'examples'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the ecohub repository root');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { devices: { type: 'string' }, root: { type: 'string' }, top: { type: 'string' } },
  });
  const n = Number(values.devices ?? 3000);
  const top = Number(values.top ?? 25);
  const root = values.root !== undefined ? resolve(values.root) : repoRoot();
  const cleanup = new Cleanup();
  process.once('exit', () => cleanup.killNow());
  try {
    const adminToken = `bench-admin-${randomBytes(16).toString('hex')}`;
    const hub = await startHub({ root, adminToken, nodeFlags: ['--heapsnapshot-signal=SIGUSR2'] }, cleanup);
    const api = new HubApi(hub.httpUrl, adminToken);
    const devices = (await provisionFleet(api, repoRoot(), n)).map((d) => ({
      did: d.id,
      clientId: d.id,
      username: d.id,
      password: d.secret,
    }));
    const workerPath = join(dirname(fileURLToPath(import.meta.url)), 'generator-worker.js');
    const generator = Generator.start('heap', workerPath, cleanup);
    const first = sizes(await snapshot(hub.pid, hub.cwd, api));
    const outcome = await generator.call(
      {
        op: 'connect',
        endpoint: { host: '127.0.0.1', port: hub.mqttPort },
        devices,
        localAddresses: ['127.0.0.2'],
        window: 100,
        attempts: 3,
      },
      300_000,
    );
    const deadline = Date.now() + 60_000;
    while (metricSum(await api.metrics(), 'ecohub_devices_online') < outcome.connected) {
      if (Date.now() > deadline) throw new Error('devices not online within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const second = sizes(await snapshot(hub.pid, hub.cwd, api));
    const rows = [...new Set([...first.keys(), ...second.keys()])]
      .map((key) => ({ key, delta: (second.get(key) ?? 0) - (first.get(key) ?? 0) }))
      .sort((a, b) => b.delta - a.delta);
    const total = rows.reduce((s, r) => s + r.delta, 0);
    const connected = outcome.connected;
    process.stdout.write(
      `${connected}/${n} connected (${outcome.failed} failed); heap ${(total / connected).toFixed(0)} bytes per connection\n\n` +
        '| group | bytes per connection |\n| --- | --- |\n' +
        rows
          .slice(0, top)
          .map((r) => `| ${r.key} | ${(r.delta / connected).toFixed(1)} |`)
          .join('\n') +
        '\n',
    );
    await generator.call({ op: 'disconnectAll' }, 60_000);
  } finally {
    await cleanup.runAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`heap-per-connection: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
