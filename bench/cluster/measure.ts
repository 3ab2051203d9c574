import { readFileSync } from 'node:fs';
import { cpuSeconds } from '../proc.js';
import type { PgCounters, PostgresServer, RedisServer } from './servers.js';

/**
 * One measured interval of the cluster bench: CPU of every process group (hub nodes, generators,
 * redis-server, PostgreSQL's processes) from /proc, Redis commands from INFO stats, PostgreSQL
 * transactions, rows and WAL bytes from pg_stat_database and the WAL position, and the box's CPU.
 */
export interface WindowResult {
  readonly seconds: number;
  /** % of one core, per hub node (in the order given). */
  readonly hubCpu: number[];
  readonly generatorCpu: number;
  readonly redisCpu: number;
  readonly postgresCpu: number;
  /** % of all cores, every process on the machine. */
  readonly boxCpu: number;
  readonly redisOpsPerSec: number;
  readonly pgTransactionsPerSec: number;
  readonly pgRowsInsertedPerSec: number;
  readonly pgRowsUpdatedPerSec: number;
  readonly pgWalBytesPerSec: number;
}

export interface Watched {
  readonly hubs: () => number[];
  readonly generators: () => number[];
  readonly redis: RedisServer;
  readonly postgres: PostgresServer;
}

function boxTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total };
}

function cpuOf(pids: readonly number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
}

/** CPU used since `before` by the processes alive now (a process started meanwhile counts whole). */
function used(before: ReadonlyMap<number, number>, pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) sum += cpuSeconds(pid) - (before.get(pid) ?? 0);
  return sum;
}

export async function openWindow(w: Watched): Promise<{ end(): Promise<WindowResult> }> {
  const hubs = w.hubs();
  const gens = w.generators();
  const [redis0, pg0] = await Promise.all([w.redis.commands(), w.postgres.counters()]);
  const started = performance.now();
  const box0 = boxTicks();
  const hub0 = hubs.map((pid) => cpuSeconds(pid));
  const gen0 = cpuOf(gens);
  const redisCpu0 = cpuSeconds(w.redis.pid);
  const pgPids0 = w.postgres.pids();
  const pgCpu0 = cpuOf(pgPids0);
  return {
    async end(): Promise<WindowResult> {
      const seconds = (performance.now() - started) / 1000;
      const box1 = boxTicks();
      const hubCpu = hubs.map((pid, i) => (100 * (cpuSeconds(pid) - (hub0[i] ?? 0))) / seconds);
      const generatorCpu = (100 * used(gen0, gens)) / seconds;
      const redisCpu = (100 * (cpuSeconds(w.redis.pid) - redisCpu0)) / seconds;
      const postgresCpu = (100 * used(pgCpu0, w.postgres.pids())) / seconds;
      const [redis1, pg1] = await Promise.all([w.redis.commands(), w.postgres.counters()]);
      const rate = (k: keyof PgCounters) => (pg1[k] - pg0[k]) / seconds;
      const total = box1.total - box0.total;
      return {
        seconds,
        hubCpu,
        generatorCpu,
        redisCpu,
        postgresCpu,
        boxCpu: total > 0 ? (100 * (box1.busy - box0.busy)) / total : 0,
        redisOpsPerSec: (redis1 - redis0) / seconds,
        pgTransactionsPerSec: rate('transactions'),
        pgRowsInsertedPerSec: rate('inserted'),
        pgRowsUpdatedPerSec: rate('updated'),
        pgWalBytesPerSec: rate('walBytes'),
      };
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
