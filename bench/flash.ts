/**
 * `npm run bench:flash [-- --quick]`: the flash-sale opening (issue 16). 10,000 registered buyers
 * (1,000 with --quick) on a cap of 1,000 (100), everyone buying at the opening over real HTTP on
 * loopback, 256 requests in flight. Reports answers per second and the p50/p99 latency of an answer
 * (reserved, waitlisted, queued or sold out), the same for a trivial route of the same hub
 * (GET /healthz) as the ceiling, and checks that nothing was oversold. Exits 1 on an oversell.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { latencySummary } from './stats.js';

const quick = process.argv.includes('--quick');
const BUYERS = quick ? 1000 : 10_000;
const CAP = quick ? 100 : 1000;
const IN_FLIGHT = 256;
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

interface Ready {
  httpUrl: string;
  saleId: string;
  opensAt: number;
  tokenFile: string;
  adminToken: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `count` requests, IN_FLIGHT at a time; returns the wall time and each answer's latency. */
async function burst(count: number, one: (i: number) => Promise<string>) {
  const latencies: number[] = [];
  const outcomes = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = performance.now();
        const outcome = await one(i);
        latencies.push(performance.now() - t);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSec: count / seconds, latency: latencySummary(latencies), outcomes };
}

const child = spawn(
  process.execPath,
  [join(here, 'flash-hub.js'), root, String(BUYERS), String(CAP), '4000'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
try {
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the bench hub exited (${code}) before it was ready`)));
  });
  const ready = JSON.parse(line) as Ready;
  const tokens = JSON.parse(readFileSync(ready.tokenFile, 'utf8')) as string[];
  const wait = ready.opensAt - Date.now() + 50;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));

  const flash = await burst(BUYERS, async (i) => {
    const res = await request(
      `${ready.httpUrl}/v1/flash-sales/${ready.saleId}/purchases`,
      'POST',
      {
        authorization: `Bearer ${tokens[i]}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      '{"quantity":1}',
    );
    if (res.status === 201) return 'reserved';
    if (res.status === 202) return (JSON.parse(res.body) as { outcome: string }).outcome;
    return `${res.status}`;
  });
  const ceiling = await burst(BUYERS, async () =>
    String((await request(`${ready.httpUrl}/healthz`, 'GET', {})).status),
  );
  const sale = JSON.parse(
    (await request(`${ready.httpUrl}/v1/flash-sales/${ready.saleId}`, 'GET', {})).body,
  ) as { cap: number; reserved: number; sold: number; remaining: number };
  const held = sale.reserved + sale.sold;
  const oversold = Math.max(0, held - sale.cap, (flash.outcomes.get('reserved') ?? 0) - sale.cap);
  const fmt = (n: number) => n.toFixed(1);
  const out = {
    buyers: BUYERS,
    cap: CAP,
    inFlight: IN_FLIGHT,
    purchasesPerSec: Math.round(flash.perSec),
    purchaseP50Ms: fmt(flash.latency.p50),
    purchaseP99Ms: fmt(flash.latency.p99),
    ceilingPerSec: Math.round(ceiling.perSec),
    ceilingP50Ms: fmt(ceiling.latency.p50),
    ceilingP99Ms: fmt(ceiling.latency.p99),
    ratio: (flash.perSec / ceiling.perSec).toFixed(2),
    outcomes: Object.fromEntries(flash.outcomes),
    held,
    oversold,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  process.exitCode = oversold > 0 ? 1 : 0;
} finally {
  child.kill('SIGTERM');
  agent.destroy();
}
