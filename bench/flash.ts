/**
 * `npm run bench:flash [-- --quick]`: the flash-sale scenario of `npm run bench` ((d),
 * bench/scenarios/flash.ts) on its own: 10,000 registered buyers (1,000 with --quick) on a cap of
 * 1,000 (100), everyone buying at the opening over real HTTP on loopback, 256 requests in flight,
 * against a bare fastify route as the ceiling; the sale checked in the database afterwards. Prints
 * the figures as JSON; exits 1 on an oversell or a lost answer. `--profile` runs the hub under
 * `node --cpu-prof` and prints where it spent its time during the burst (bench/profile.ts) to stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cleanup } from './cleanup.js';
import { monotonicUs, readProfile, summariseProfile } from './profile.js';
import { flashRun, prepareFlash } from './scenarios/flash.js';

const quick = process.argv.includes('--quick');
const profileDir = process.argv.includes('--profile')
  ? mkdtempSync(join(tmpdir(), 'ecohub-flash-profile-'))
  : undefined;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cleanup = new Cleanup();
process.once('exit', () => cleanup.killNow());
try {
  const prepared = await prepareFlash({
    root,
    buyers: quick ? 1000 : 10_000,
    cap: quick ? 100 : 1000,
    inFlight: 256,
    retries: 5,
    cleanup,
    progress: (line) => process.stderr.write(`${line}\n`),
    ...(profileDir !== undefined ? { hubFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
  });
  const fromUs = monotonicUs();
  const run = await flashRun(prepared, 'run 1/1');
  if (profileDir !== undefined) {
    // flashRun stopped the hub: its profile is written. The window is the burst and the ceiling
    // (the hub idles during the latter).
    const summary = summariseProfile(readProfile(profileDir), 'flash opening', root, 40, {
      fromUs,
      toUs: monotonicUs(),
    });
    process.stderr.write(`${JSON.stringify(summary, null, 1)}\n`);
    rmSync(profileDir, { recursive: true, force: true });
  }
  process.stdout.write(
    `${JSON.stringify({ ...run, ratio: Number((run.perSec / run.ceilingPerSec).toFixed(3)) }, null, 2)}\n`,
  );
  process.exitCode = run.oversold > 0 || run.answeredMissing > 0 || run.overLimitUsers > 0 ? 1 : 0;
} finally {
  await cleanup.runAll();
}
