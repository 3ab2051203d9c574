import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import type { Cleanup } from '../cleanup.js';
import type { CpuFigures } from '../context.js';
import { cpuWindow } from '../proc.js';
import { latencySummary } from '../stats.js';

/**
 * (d) The flash-sale opening (issue 16): `buyers` registered users, a first-come sale of `cap`
 * units, everyone buying at the opening over real HTTP on loopback, `inFlight` requests at a time;
 * then as many requests, same client and concurrency, to a bare fastify server's trivial route (the
 * ceiling, measured in the same run). A buyer answered "queued" (the hub saturated: 202 with a
 * position and Retry-After) or 429 (a rate limit, with Retry-After) tries again with the same
 * Idempotency-Key after Retry-After, as a client should; every answer is counted. After the burst
 * the sale is checked in the hub's database file, not taken from the answers: units held by
 * purchases against the cap, users past the per-user limit, and every purchase answered 201 there
 * exactly once.
 */

export interface FlashOptions {
  /** Repository root: the hub runs from dist/bench/flash-hub.js under it. */
  readonly root: string;
  readonly buyers: number;
  readonly cap: number;
  readonly inFlight: number;
  /** Retries of a queued or rate-limited answer per buyer. */
  readonly retries: number;
  readonly cleanup: Cleanup;
  readonly progress: (line: string) => void;
  /** node flags for the hub (--cpu-prof ...). */
  readonly hubFlags?: readonly string[];
}

export interface FlashRun {
  readonly buyers: number;
  readonly cap: number;
  readonly inFlight: number;
  /** HTTP answers to purchase attempts per second over the burst (retries included). */
  readonly perSec: number;
  /** Milliseconds, per attempt. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly reserved: number;
  readonly waitlisted: number;
  readonly soldOut: number;
  /** 202 queued answers (the hub past its purchases in flight). */
  readonly queued: number;
  /** 429 answers (per-user or per-address limit); each had a Retry-After. */
  readonly limited: number;
  /** queued or 429 answers without a Retry-After header (must be 0). */
  readonly withoutRetryAfter: number;
  /** Any other status (must be 0), and the first of them. */
  readonly failed: number;
  readonly firstFailure: string | undefined;
  readonly ceilingPerSec: number;
  readonly ceilingP50: number;
  readonly ceilingP99: number;
  /** From the database after the burst. */
  readonly heldInDb: number;
  readonly takenInDb: number;
  readonly oversold: number;
  readonly overLimitUsers: number;
  /** Purchases answered 201 that the database does not hold as one reserved purchase. */
  readonly answeredMissing: number;
  readonly cpu: CpuFigures;
  readonly ceilingCpu: CpuFigures;
}

interface Ready {
  readonly httpUrl: string;
  readonly saleId: string;
  readonly opensAt: number;
  readonly tokenFile: string;
  readonly databaseFile: string;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | undefined;
}

function request(
  agent: http.Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const retry = res.headers['retry-after'];
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          retryAfter: typeof retry === 'string' ? retry : undefined,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Spawns a node script that prints one JSON line when ready; the child is the cleanup's. */
async function spawnReady<T>(
  script: string,
  args: readonly string[],
  flags: readonly string[],
  cleanup: Cleanup,
): Promise<{ child: ChildProcess; ready: T; next: () => Promise<string> }> {
  const child = spawn(process.execPath, [...flags, script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  cleanup.child(child);
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  if (child.stdout === null) throw new Error(`${script}: no stdout`);
  createInterface({ input: child.stdout }).on('line', (line) => {
    const take = waiting.shift();
    if (take) take(line);
    else lines.push(line);
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const line = lines.shift();
      if (line !== undefined) return resolve(line);
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    });
  return { child, ready: JSON.parse(await next()) as T, next };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** `count` tasks, `inFlight` at a time; each task's attempts' latencies are pushed by the task. */
async function lanes(count: number, inFlight: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      for (let i = next++; i < count; i = next++) await task(i);
    }),
  );
  return (performance.now() - started) / 1000;
}

function cpuOf(w: ReturnType<typeof cpuWindow>): CpuFigures {
  const r = w.end();
  return { server: r.percent['server'] ?? 0, generators: r.percent['generators'] ?? 0, box: r.boxPercent };
}

interface DbCheck {
  readonly held: number;
  readonly taken: number;
  readonly cap: number;
  readonly overLimitUsers: number;
  readonly reservedIds: Set<string>;
}

/** The sale as the database holds it (read-only, beside the running hub: WAL). */
function checkDatabase(file: string, saleId: string): DbCheck {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const sale = db.prepare('SELECT cap, taken, per_user_limit FROM flash_sales WHERE id = ?').get(saleId) as
      | { cap: number; taken: number; per_user_limit: number }
      | undefined;
    if (sale === undefined) throw new Error(`sale ${saleId} is not in ${file}`);
    const held = db
      .prepare(`SELECT coalesce(sum(quantity), 0) AS n FROM flash_purchases
        WHERE sale_id = ? AND status IN ('reserved', 'paid')`)
      .get(saleId) as { n: number };
    const over = db
      .prepare(`SELECT count(*) AS n FROM (SELECT user_id FROM flash_purchases
        WHERE sale_id = ? AND status IN ('reserved', 'paid') GROUP BY user_id HAVING sum(quantity) > ?)`)
      .get(saleId, sale.per_user_limit) as { n: number };
    const ids = db
      .prepare(`SELECT id FROM flash_purchases WHERE sale_id = ? AND status = 'reserved'`)
      .all(saleId) as { id: string }[];
    return {
      held: held.n,
      taken: sale.taken,
      cap: sale.cap,
      overLimitUsers: over.n,
      reservedIds: new Set(ids.map((r) => r.id)),
    };
  } finally {
    db.close();
  }
}

type Spawned<T> = Awaited<ReturnType<typeof spawnReady<T>>>;

/** A flash hub set up with its buyers and a sale not open yet, and the fastify ceiling: idle until run. */
export interface PreparedFlash {
  readonly options: FlashOptions;
  readonly hub: Spawned<Ready>;
  readonly ceiling: Spawned<{ url: string }>;
  stop(): Promise<void>;
}

/** Starts both servers (setting 10,000 buyers up costs the hub seconds of CPU). */
export async function prepareFlash(o: FlashOptions): Promise<PreparedFlash> {
  const here = join(o.root, 'dist', 'bench');
  const [hub, ceiling] = await Promise.all([
    spawnReady<Ready>(
      join(here, 'flash-hub.js'),
      // Opens in 10 minutes unless told to open (flashRun does).
      [o.root, String(o.buyers), String(o.cap), '600000'],
      o.hubFlags ?? [],
      o.cleanup,
    ),
    spawnReady<{ url: string }>(join(here, 'flash-ceiling.js'), [], [], o.cleanup),
  ]);
  return {
    options: o,
    hub,
    ceiling,
    stop: () => Promise.all([stopChild(hub.child), stopChild(ceiling.child)]).then(() => undefined),
  };
}

/** Opens the prepared sale, runs the burst and the ceiling, checks the database, stops both servers. */
export async function flashRun(prepared: PreparedFlash, label: string): Promise<FlashRun> {
  const { options: o, hub, ceiling } = prepared;
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.inFlight });
  try {
    const { ready } = hub;
    const tokens = JSON.parse(readFileSync(ready.tokenFile, 'utf8')) as string[];
    hub.child.stdin?.write('open 300\n');
    const { opensAt } = JSON.parse(await hub.next()) as { opensAt: number };
    const wait = opensAt - Date.now() + 20;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    o.progress(`(d) flash sale ${label}: ${o.buyers} buyers at the opening, ${o.inFlight} in flight`);

    const latencies: number[] = [];
    const counts = { reserved: 0, waitlisted: 0, soldOut: 0, queued: 0, limited: 0, failed: 0 };
    let withoutRetryAfter = 0;
    let firstFailure: string | undefined;
    const answeredIds: string[] = [];
    const url = `${ready.httpUrl}/v1/flash-sales/${ready.saleId}/purchases`;
    const hubPid = hub.child.pid ?? 0;
    const cpu = cpuWindow({ server: [hubPid], generators: [process.pid] });
    const seconds = await lanes(o.buyers, o.inFlight, async (i) => {
      const headers = {
        authorization: `Bearer ${tokens[i]}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      };
      for (let attempt = 0; attempt <= o.retries; attempt++) {
        const t = performance.now();
        const res = await request(agent, url, 'POST', headers, '{"quantity":1}');
        latencies.push(performance.now() - t);
        const outcome =
          res.status === 202 ? (JSON.parse(res.body) as { outcome?: unknown }).outcome : undefined;
        if (res.status === 201) {
          counts.reserved++;
          answeredIds.push((JSON.parse(res.body) as { purchase: { id: string } }).purchase.id);
          return;
        }
        if (outcome === 'waitlisted') return void counts.waitlisted++;
        if (res.status === 409 && res.body.includes('OUT_OF_STOCK')) return void counts.soldOut++;
        if (outcome === 'queued' || res.status === 429) {
          if (outcome === 'queued') counts.queued++;
          else counts.limited++;
          if (res.retryAfter === undefined) withoutRetryAfter++;
          // As a client should: the same key after Retry-After (seconds).
          await new Promise((r) => setTimeout(r, 1000 * Number(res.retryAfter ?? 1)));
          continue;
        }
        counts.failed++;
        firstFailure ??= `${res.status} ${res.body.slice(0, 200)}`;
        return;
      }
    });
    const purchaseCpu = cpuOf(cpu);
    const attempts = latencies.length;
    const purchase = latencySummary(latencies);

    const ceilingLatencies: number[] = [];
    const ceilingPid = ceiling.child.pid ?? 0;
    const ceilingWindow = cpuWindow({ server: [ceilingPid], generators: [process.pid] });
    const ceilingSeconds = await lanes(o.buyers, o.inFlight, async () => {
      const t = performance.now();
      const res = await request(agent, ceiling.ready.url, 'GET', {});
      ceilingLatencies.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`the fastify ceiling answered ${res.status}`);
    });
    const ceilingCpu = cpuOf(ceilingWindow);
    const top = latencySummary(ceilingLatencies);

    const db = checkDatabase(ready.databaseFile, ready.saleId);
    const answeredMissing = answeredIds.filter((id) => !db.reservedIds.has(id)).length;
    return {
      buyers: o.buyers,
      cap: o.cap,
      inFlight: o.inFlight,
      perSec: attempts / seconds,
      p50: purchase.p50,
      p99: purchase.p99,
      max: purchase.max,
      ...counts,
      withoutRetryAfter,
      firstFailure,
      ceilingPerSec: ceilingLatencies.length / ceilingSeconds,
      ceilingP50: top.p50,
      ceilingP99: top.p99,
      heldInDb: db.held,
      takenInDb: db.taken,
      oversold: Math.max(0, db.held - db.cap, db.taken - db.cap, counts.reserved - db.cap),
      overLimitUsers: db.overLimitUsers,
      answeredMissing,
      cpu: purchaseCpu,
      ceilingCpu,
    };
  } finally {
    agent.destroy();
    await prepared.stop();
  }
}
