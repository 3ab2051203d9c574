#!/usr/bin/env node
/**
 * `npm run demo`: a hub on its embedded defaults with a demo partner, the example models, simulated
 * devices of each, and a demo user who owns a home with rooms and all those devices. Ctrl-C stops it
 * and removes the temporary data folder. `npm run demo -- --help` lists its options.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../src/cli/flags.js';
import { createHub, type Hub } from '../src/hub.js';
import { demoBanner } from './demo-lines.js';
import { DEMO_HELP, type DemoOptions, demoOptions } from './demo-options.js';
import { firstLight, packageRoot, populate } from './demo-setup.js';
import { SimulatedDevice } from './index.js';

async function run(options: DemoOptions): Promise<void> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ecohub-demo-'));
  // Whatever ends the process (a signal, a failure, an exception), a temporary folder goes with it.
  const removeData = () => {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', removeData);

  const operator = `demo-operator-${randomBytes(12).toString('hex')}`;
  const devices: SimulatedDevice[] = [];
  let hub: Hub | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) process.exit(1);
    stopping = true;
    if (code === 0) process.stderr.write('\nstopping the demo...\n');
    await Promise.all(devices.map((d) => d.stop()));
    await hub?.close();
    removeData();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    hub = await createHub({
      dataDir,
      host: options.host,
      httpPort: options.httpPort,
      mqttPort: options.mqttPort,
      logLevel: 'warn',
      adminToken: operator,
    });
    const world = await populate(hub, operator);
    for (const d of world.devices) {
      devices.push(
        new SimulatedDevice({
          spec: d.spec,
          credentials: { id: d.id, secret: d.secret },
          hubUrl: hub.mqttUrl,
          options: { telemetryIntervalMs: 5000, eventIntervalMs: 30_000 },
        }),
      );
    }
    await Promise.all(devices.map((d) => d.start()));
    const light = firstLight(world.devices);
    if (!light) throw new Error('no example model has a writable light.on');
    process.stdout.write(
      demoBanner({
        hub,
        world,
        light,
        root: packageRoot(),
        operator,
        dataDir,
        temporary,
        running: devices.length,
      }),
    );
  } catch (err) {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stop(1);
  }
}

function main(argv: readonly string[]): void {
  let options: DemoOptions | 'help';
  try {
    options = demoOptions(argv, process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`demo: ${err.message}\nRun 'npm run demo -- --help' for usage.\n`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(DEMO_HELP);
    return;
  }
  void run(options);
}

main(process.argv.slice(2));
