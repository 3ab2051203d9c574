#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { UsageError } from '../src/cli/flags.js';
import type { CliIo } from '../src/cli/io.js';
import { createLogger } from '../src/log.js';
import type { CompiledSpec } from '../src/registry/spec/index.js';
import { parseRunFlags, RUN_HELP, type RunConfig } from './cli-options.js';
import { parseDevicesFile } from './devices-file.js';
import { activeFaults } from './faults.js';
import { Fleet } from './fleet.js';
import { PayloadEncoder } from './payloads.js';
import { formatSummary, ProgressReporter } from './progress.js';
import { prepareSpec } from './spec.js';
import { DeviceState } from './state.js';

const HELP = `ecohub-sim: simulated devices for an ecohub hub, driven by the model spec

Usage: ecohub-sim run [options]    (ecohub-sim run --help for the options)

${RUN_HELP}`;

/** Stops a run early: resolves when SIGINT/SIGTERM arrive (the binary) or never (tests pass their own). */
export type StopSignal = Promise<string>;

export async function main(argv: readonly string[], io: CliIo, stopSignal: StopSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === 'help') {
      io.stdout(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'run') throw new UsageError(`unknown command '${command}' (commands: run)`);
    const config = parseRunFlags(rest);
    if (config === 'help') {
      io.stdout(RUN_HELP);
      return 0;
    }
    return await run(config, io, stopSignal);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`ecohub-sim: ${err.message}\nRun 'ecohub-sim run --help' for usage.\n`);
      return 2;
    }
    io.stderr(`ecohub-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function run(config: RunConfig, io: CliIo, stopSignal: StopSignal): Promise<number> {
  const file = readUsing('devices', config.devicesFile, (text) => parseDevicesFile(text, config.devicesFile));
  if (config.count !== undefined && config.count > file.devices.length) {
    throw new UsageError(
      `--count ${config.count} exceeds the ${file.devices.length} devices in ${config.devicesFile}`,
    );
  }
  const devices = file.devices.slice(0, config.count ?? file.devices.length);
  const spec = await loadModel(config, file.modelId);
  if (file.modelId !== undefined && file.modelId !== spec.spec.model) {
    io.stderr(
      `ecohub-sim: warning: the devices are of ${file.modelId}, the model document is ${spec.spec.model}\n`,
    );
  }
  try {
    // Builds one device's encoder up front so a fault the model cannot show fails as a usage error.
    new PayloadEncoder(
      new DeviceState(spec, { manufacturer: '', serialNumber: '', firmwareRevision: '' }),
      config.faults,
    );
  } catch (error) {
    throw new UsageError(`--fault: ${error instanceof Error ? error.message : String(error)}`);
  }
  const log = createLogger(config.logLevel, pino.destination(2));
  const fleet = new Fleet({
    spec,
    devices,
    hubUrl: config.hubUrl,
    seed: config.seed,
    devicesPerProcess: config.perProcess,
    sourceAddresses: config.sourceAddresses,
    log,
    device: {
      firmwareRevision: config.firmware,
      eventIntervalMs: config.eventIntervalMs,
      keepaliveSeconds: config.keepaliveSeconds,
      faults: config.faults,
    },
    rate: config.rate,
  });
  fleet.on('warning', (warning) => io.stderr(`ecohub-sim: warning: ${warning}\n`));
  const faults = activeFaults(config.faults);
  io.stderr(
    `ecohub-sim: ${devices.length} devices of ${spec.spec.model} -> ${config.hubUrl}` +
      ` (${fleet.plan.processes.length} process(es), ${fleet.plan.addresses.length || 'default'} source address(es)` +
      `${faults.length > 0 ? `, faults: ${faults.join(' ')}` : ''})\n`,
  );
  const startedAt = Date.now();
  const progress = new ProgressReporter(io.stderr, io.isTTY);
  const timer = setInterval(() => progress.update(fleet.stats()), io.isTTY ? 500 : 1000);
  let durationTimer: NodeJS.Timeout | undefined;
  let startDuration = () => {};
  const stopped = Promise.race([
    stopSignal,
    new Promise<string>((resolve) => {
      if (config.durationMs === undefined) return;
      const ms = config.durationMs;
      startDuration = () => {
        durationTimer = setTimeout(() => resolve('duration'), ms);
      };
    }),
  ]);
  try {
    await Promise.race([fleet.start(), stopped]);
    // --duration counts from when the fleet is up (every worker process started), so a slow
    // start on a busy machine does not eat the run.
    startDuration();
    const reason = await stopped;
    log.info({ reason }, 'stopping');
  } catch (error) {
    await fleet.stop();
    throw error;
  } finally {
    clearInterval(timer);
    clearTimeout(durationTimer);
    progress.update(fleet.stats());
    progress.finish();
  }
  const stats = await fleet.stop();
  const durationMs = Date.now() - startedAt;
  io.stdout(config.json ? `${JSON.stringify({ ...stats, durationMs })}\n` : formatSummary(stats, durationMs));
  return 0;
}

async function loadModel(config: RunConfig, fileModelId: string | undefined): Promise<CompiledSpec> {
  const model = config.model;
  if ('file' in model) return readUsing('model', model.file, (text) => prepareSpec(JSON.parse(text)));
  const id = model.id ?? fileModelId;
  if (id === undefined) throw new UsageError('--model-id is required: the devices file names no model');
  const url = `${model.api.replace(/\/+$/, '')}/v1/catalog/models/${encodeURIComponent(id)}`;
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: is ${id} published?`);
  return prepareSpec(await res.json());
}

/** Reads and parses a file given by a flag; any failure is a usage error naming the flag. */
function readUsing<T>(flag: string, path: string, parse: (text: string) => T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    return parse(text);
  } catch (error) {
    throw new UsageError(`--${flag}: ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The binary: real streams, and SIGINT/SIGTERM as the stop signal. */
function runBinary(): void {
  const io: CliIo = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    isTTY: process.stderr.isTTY === true,
  };
  const signal = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  main(process.argv.slice(2), io, signal).then((code) => {
    process.exitCode = code;
    // Let pending writes flush; anything still holding the loop after the summary is not waited for.
    setTimeout(() => process.exit(code), 200).unref();
  });
}

runBinary();
