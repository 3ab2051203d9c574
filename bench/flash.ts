/**
 * `npm run bench:flash [-- --quick]`: the flash-sale scenario of `npm run bench` ((d),
 * bench/scenarios/flash.ts) on its own: 10,000 registered buyers (1,000 with --quick) on a cap of
 * 1,000 (100), everyone buying at the opening over real HTTP on loopback, 256 requests in flight,
 * against a bare fastify route as the ceiling; the sale checked in the database afterwards. Prints
 * the figures as JSON; exits 1 on an oversell or a lost answer.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cleanup } from './cleanup.js';
import { flashRun, prepareFlash } from './scenarios/flash.js';

const quick = process.argv.includes('--quick');
const cleanup = new Cleanup();
process.once('exit', () => cleanup.killNow());
try {
  const prepared = await prepareFlash({
    root: join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
    buyers: quick ? 1000 : 10_000,
    cap: quick ? 100 : 1000,
    inFlight: 256,
    retries: 5,
    cleanup,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  const run = await flashRun(prepared, 'run 1/1');
  process.stdout.write(
    `${JSON.stringify({ ...run, ratio: Number((run.perSec / run.ceilingPerSec).toFixed(3)) }, null, 2)}\n`,
  );
  process.exitCode = run.oversold > 0 || run.answeredMissing > 0 || run.overLimitUsers > 0 ? 1 : 0;
} finally {
  await cleanup.runAll();
}
