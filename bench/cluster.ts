import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cleanup } from './cleanup.js';
import {
  CLUSTER_USAGE,
  type ClusterBenchConfig,
  ClusterUsageError,
  clusterBenchConfig,
} from './cluster/config.js';
import { renderClusterReport } from './cluster/report.js';
import { runClusterBench } from './cluster/scenario.js';
import { machineInfo } from './machine.js';

/**
 * `npm run bench:cluster [-- --quick] [--devices-per-node N]`: several hub nodes on one redis-server
 * and one PostgreSQL, filled with devices, one killed; writes docs/benchmarks-cluster.md. Exits 0
 * when every phase produced its figures, 1 when one broke (the report says which), 2 on a bad flag,
 * 130 on Ctrl-C; every process it started is gone by then.
 */

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

async function bench(config: ClusterBenchConfig, cleanup: Cleanup, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  const progress = (line: string) => {
    const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    process.stdout.write(`[${t}s] ${line}\n`);
  };
  const root = repoRoot();
  const hubEntry = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(hubEntry)) throw new Error(`${hubEntry} is missing: run 'npm run build' first`);
  const machine = machineInfo(root);
  progress(
    `ecohub cluster bench, ${config.mode} mode: ${config.nodes} nodes x ${config.devicesPerNode} devices, ` +
      `${config.generators} generator processes; ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAtStart
        .map((l) => l.toFixed(2))
        .join(' / ')}`,
  );
  const results = await runClusterBench({
    root,
    config,
    cleanup,
    workerPath: join(dirname(fileURLToPath(import.meta.url)), 'generator-worker.js'),
    adminToken: `bench-admin-${randomBytes(16).toString('hex')}`,
    signal,
    progress,
  });
  if (signal.aborted) return 130;
  const out = resolve(root, config.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    renderClusterReport({
      machine,
      loadAtEnd: os.loadavg(),
      elapsedSeconds: (performance.now() - started) / 1000,
      config,
      results,
    }),
  );
  progress(`wrote ${out}${results.errors.length > 0 ? ` with ${results.errors.length} error(s)` : ''}`);
  return results.errors.length > 0 ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let config: ClusterBenchConfig | 'help';
  try {
    config = clusterBenchConfig(argv);
  } catch (error) {
    if (!(error instanceof ClusterUsageError)) throw error;
    process.stderr.write(`bench:cluster: ${error.message}\n${CLUSTER_USAGE}`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(CLUSTER_USAGE);
    return 0;
  }
  const cleanup = new Cleanup();
  process.once('exit', () => cleanup.killNow());
  const interrupted = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted.signal.aborted) {
      cleanup.killNow();
      process.exit(130);
    }
    interrupted.abort();
    process.stderr.write(`\nbench:cluster: ${signal}, stopping everything it started...\n`);
    cleanup.runAll(5000).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    return await bench(config, cleanup, interrupted.signal);
  } catch (error) {
    process.stderr.write(
      `bench:cluster: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  } finally {
    await cleanup.runAll();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
