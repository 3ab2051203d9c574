import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub, tempDir } from '../support/hub.js';
import { fixture, until } from './sim-support.js';

/** The built binary (npm test builds first; locally: npx tsc -p tsconfig.build.json). */
const SIM = fileURLToPath(new URL('../../dist/firmware-sim/cli.js', import.meta.url));

interface SimRun {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function spawnSim(args: readonly string[], timeoutMs = 20_000): SimRun {
  const child = spawn(process.execPath, [SIM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ecohub-sim ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

const runSim = (args: readonly string[]) => spawnSim(args).done;

describe('ecohub-sim CLI', () => {
  let hub: TestHub;
  let dir: string;
  beforeAll(async () => {
    hub = await startHub();
    dir = tempDir('ecohub-sim-');
  });
  afterAll(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function csvFleet(file: string, count: number) {
    const fx = await fixture(hub, file, 1);
    const res = await hub.request('POST', '/v1/device-batches?format=csv', {
      token: fx.key,
      body: { modelId: fx.modelId, version: 1, count },
    });
    expect(res.status, res.text).toBe(201);
    const devices = join(dir, `${fx.modelId}.csv`);
    const model = join(dir, `${fx.modelId}.json`);
    writeFileSync(devices, res.text);
    writeFileSync(model, JSON.stringify(fx.spec));
    const ids = res.text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[0] ?? '');
    return { ...fx, devices, model, ids };
  }

  const onlineCount = async (key: string, modelId: string) => {
    const res = await hub.request('GET', `/v1/devices?online=true&modelId=${modelId}&limit=1000`, {
      token: key,
    });
    return (res.body['items'] as unknown[]).length;
  };

  it('runs 20 devices from a provisioned CSV for --duration, over two worker processes', async () => {
    const fx = await csvFleet('acme.temperature-humidity-sensor.th1', 20);
    const { code, stdout, stderr } = await runSim([
      'run',
      '--hub',
      hub.mqttUrl,
      '--devices',
      fx.devices,
      '--model',
      fx.model,
      '--duration',
      '3',
      '--rate',
      '20',
      '--seed',
      '5',
      '--per-process',
      '10',
      '--firmware',
      '9.9.9',
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('ecohub-sim summary');
    expect(stdout).toMatch(/devices\s+20\n/);
    expect(stdout).toMatch(/processes\s+2\n/);
    expect(stdout).toMatch(/connects\s+20\n/);
    expect(stdout).toMatch(/errors\s+0\n/);
    expect(Number(/reports sent\s+(\d+)/.exec(stdout)?.[1])).toBeGreaterThan(20);
    expect(stderr).toMatch(/connected \d+\/20/);
    const detail = await hub.request('GET', `/v1/devices/${fx.ids[0]}`, { token: fx.key });
    expect(detail.body['firmwareVersion']).toBe('9.9.9');
    await until(async () => (await onlineCount(fx.key, fx.modelId)) === 0, 5000, 'all offline');
  });

  it('fetches the model by id from --api, reads batch JSON and prints a JSON summary', async () => {
    const fx = await fixture(hub, 'acme.light.bulb1', 5);
    const devices = join(dir, 'batch.json');
    writeFileSync(devices, JSON.stringify({ batch: { modelId: fx.modelId }, devices: fx.devices }));
    const { code, stdout, stderr } = await runSim([
      'run',
      '--hub',
      hub.mqttUrl,
      '--devices',
      devices,
      '--model-id',
      fx.modelId,
      '--api',
      hub.httpUrl,
      // Long enough for each device's first report to be acknowledged on a loaded machine (1 s
      // was not, now and then: the summary counted 0 acknowledged).
      '--duration',
      '3',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as Record<string, number>;
    expect(summary).toMatchObject({ devices: 5, connects: 5, errors: 0, processes: 1 });
    expect(summary['reportsAcked']).toBeGreaterThanOrEqual(5);
  });

  it('stops cleanly on SIGTERM: disconnects everything, prints the summary, exits 0', async () => {
    const fx = await csvFleet('acme.plug.p1', 10);
    const sim = spawnSim(['run', '--hub', hub.mqttUrl, '--devices', fx.devices, '--model', fx.model]);
    await until(async () => (await onlineCount(fx.key, fx.modelId)) === 10, 10_000, 'all online');
    sim.child.kill('SIGTERM');
    const { code, stdout } = await sim.done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/connects\s+10\n/);
    await until(async () => (await onlineCount(fx.key, fx.modelId)) === 0, 5000, 'all offline');
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['an unknown flag', ['--bogus'], /bogus/],
    ['no --hub', ['--devices', 'x.csv', '--model', 'm.json'], /--hub is required/],
    ['a non-MQTT --hub', ['--hub', 'http://127.0.0.1:1', '--devices', 'x', '--model', 'm'], /--hub/],
    [
      'a bad --count',
      ['--hub', 'mqtt://127.0.0.1:1', '--devices', 'x', '--model', 'm', '--count', 'abc'],
      /--count/,
    ],
    [
      'a bad --rate',
      ['--hub', 'mqtt://127.0.0.1:1', '--devices', 'x', '--model', 'm', '--rate', 'fast'],
      /--rate/,
    ],
    [
      'an unknown --fault',
      ['--hub', 'mqtt://127.0.0.1:1', '--devices', 'x', '--model', 'm', '--fault', 'nope'],
      /--fault: unknown fault 'nope'/,
    ],
    [
      'a --fault without its value',
      ['--hub', 'mqtt://127.0.0.1:1', '--devices', 'x', '--model', 'm', '--fault', 'slowReplies'],
      /--fault: .*milliseconds/,
    ],
    [
      'a missing --devices file',
      ['--hub', 'mqtt://127.0.0.1:1', '--devices', '/nonexistent.csv', '--model', 'm'],
      /--devices: cannot read/,
    ],
    [
      '--model-id without --api',
      ['--hub', 'mqtt://127.0.0.1:1', '--devices', 'x', '--model-id', 'a.b.c'],
      /--api/,
    ],
  ];

  it.each(bad)('exits 2 on %s, naming the flag', async (_what, args, message) => {
    const { code, stderr } = await runSim(['run', ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 2 when a fault cannot apply to the model', async () => {
    const fx = await csvFleet('acme.switch.s2', 1);
    const { code, stderr } = await runSim([
      'run',
      '--hub',
      hub.mqttUrl,
      '--devices',
      fx.devices,
      '--model',
      fx.model,
      '--fault',
      'outOfRange',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--fault: fault outOfRange needs/);
  });

  it('prints help with exit 0', async () => {
    const { code, stdout } = await runSim(['run', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--fault NAME[=VALUE]');
  });
});
