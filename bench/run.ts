import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cleanup } from './cleanup.js';
import { type BenchConfig, benchConfig, USAGE, UsageError } from './config.js';
import type { BenchContext } from './context.js';
import { machineInfo } from './machine.js';
import { findMosquitto } from './mosquitto.js';
import { renderReport } from './report.js';
import { runSuite } from './suite.js';

/**
 * `npm run bench [-- --quick]`: benchmarks a hub child process against mosquitto and writes
 * docs/benchmarks.md. Exits 0 when it produced figures (however poor), 1 when a scenario broke,
 * 2 on a bad flag, 130 on Ctrl-C; every child process and socket is gone by then.
 */

/** The repository root: the nearest folder up from this file whose package.json is ecohub's. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg: unknown = JSON.parse(readFileSync(candidate, 'utf8'));
      if (typeof pkg === 'object' && pkg !== null && (pkg as Record<string, unknown>)['name'] === 'ecohub')
        return dir;
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the ecohub repository root');
}

function newestMtime(dir: string): number {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Benchmarking stale JavaScript would be silently wrong: say so (the bench runs from dist/). */
function checkBuild(root: string, progress: (line: string) => void): void {
  const hubEntry = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(hubEntry)) throw new Error(`${hubEntry} is missing: run 'npm run build' first`);
  const built = Math.min(statSync(hubEntry).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  const sources = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'bench')));
  if (sources > built)
    progress("warning: sources are newer than dist/; run 'npm run build' for current figures");
}

function progressPrinter(started: number): (line: string) => void {
  return (line) => {
    const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    process.stdout.write(`[${t}s] ${line}\n`);
  };
}

async function bench(
  config: BenchConfig,
  cleanup: Cleanup,
  signal: AbortSignal,
  started: number,
): Promise<number> {
  const progress = progressPrinter(started);
  const root = repoRoot();
  checkBuild(root, progress);
  const machine = machineInfo(root);
  const binary = config.mosquitto ? findMosquitto(process.env) : undefined;
  const mosquittoNote = !config.mosquitto
    ? 'skipped (--no-mosquitto)'
    : binary === undefined
      ? 'mosquitto is not installed (apt-get install mosquitto)'
      : undefined;
  progress(
    `ecohub ${machine.ecohub} bench, ${config.mode} mode, ${config.runs} runs; ` +
      (binary ? `mosquitto ${binary.version} at ${binary.path}` : `no mosquitto: ${mosquittoNote}`),
  );
  const ctx: BenchContext = {
    root,
    config,
    cleanup,
    workerPath: join(dirname(fileURLToPath(import.meta.url)), 'generator-worker.js'),
    adminToken: `bench-admin-${randomBytes(16).toString('hex')}`,
    mosquitto: binary,
    signal,
    progress,
  };
  const suite = await runSuite(ctx);
  if (signal.aborted) return 130;
  const out = resolve(root, config.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    renderReport({
      machine,
      loadAtEnd: os.loadavg(),
      elapsedSeconds: (performance.now() - started) / 1000,
      config,
      mosquittoVersion: binary?.version,
      mosquittoNote: mosquittoNote ?? (suite.mosquitto === undefined ? 'failed to run' : undefined),
      hub: suite.hub,
      mosquitto: suite.mosquitto,
      loadPerSec: suite.loadPerSec,
      profiles: suite.profiles,
      errors: suite.errors,
      flash: suite.flash,
    }),
  );
  progress(`wrote ${out}${suite.errors.length > 0 ? ` with ${suite.errors.length} error(s)` : ''}`);
  return suite.errors.length > 0 ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let config: BenchConfig | 'help';
  try {
    config = benchConfig(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = performance.now();
  const cleanup = new Cleanup();
  process.once('exit', () => cleanup.killNow());
  const interrupted = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted.signal.aborted) {
      cleanup.killNow();
      process.exit(130);
    }
    interrupted.abort();
    process.stderr.write(`\nbench: ${signal}, stopping everything it started...\n`);
    cleanup.runAll(5000).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    return await bench(config, cleanup, interrupted.signal, started);
  } catch (error) {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  } finally {
    await cleanup.runAll();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
