import type { BenchReport } from './report.js';
import { figure, fmtSpread, num, ratioText, sig, table } from './report-format.js';
import type { FlashRun } from './scenarios/flash.js';
import { ratio } from './stats.js';

const int = (v: number) => num(v, 0);

/** Purchase answers per second as a fraction of the fastify ceiling, median over runs (NaN: none). */
export function flashRatio(runs: readonly FlashRun[]): number {
  return ratio(
    figure(runs, (x) => x.perSec),
    figure(runs, (x) => x.ceilingPerSec),
  );
}

/** Units past the cap, users past the limit and answered purchases missing, summed over runs. */
export function flashViolations(runs: readonly FlashRun[]): number {
  return runs.reduce((s, x) => s + x.oversold + x.overLimitUsers + x.answeredMissing, 0);
}

/** The "(d) flash sale" section: the hub's purchase answers next to a bare fastify route. */
export function flashSection(r: BenchReport): string {
  const runs = r.flash;
  if (runs.length === 0) return '## (d) Flash sale\n\nNot run (see the errors above).';
  const first = runs[0];
  const f = (pick: (x: FlashRun) => number, format: (v: number) => string) =>
    fmtSpread(figure(runs, pick), format);
  const side = (
    label: string,
    hub: (x: FlashRun) => number,
    top: (x: FlashRun) => number,
    format: (v: number) => string,
  ) => [label, f(hub, format), f(top, format), ratioText(ratio(figure(runs, hub), figure(runs, top)))];
  const sum = (pick: (x: FlashRun) => number) => int(runs.reduce((s, x) => s + pick(x), 0));
  const figures = table(
    ['figure', 'ecohub: POST a purchase', 'fastify: trivial GET', 'ratio'],
    [
      side(
        'answers/s',
        (x) => x.perSec,
        (x) => x.ceilingPerSec,
        int,
      ),
      side(
        'latency of an answer p50 (ms)',
        (x) => x.p50,
        (x) => x.ceilingP50,
        sig,
      ),
      side(
        'latency of an answer p99 (ms)',
        (x) => x.p99,
        (x) => x.ceilingP99,
        sig,
      ),
      ['server CPU (% of one core)', f((x) => x.cpu.server, int), f((x) => x.ceilingCpu.server, int), ''],
      [
        'generator CPU (% of one core)',
        f((x) => x.cpu.generators, int),
        f((x) => x.ceilingCpu.generators, int),
        '',
      ],
      ['box CPU (% of all cores)', f((x) => x.cpu.box, int), f((x) => x.ceilingCpu.box, int), ''],
    ],
  );
  const answers = table(
    ['answers and checks (all runs)', 'count'],
    [
      ['201 reserved', sum((x) => x.reserved)],
      ['202 waitlisted', sum((x) => x.waitlisted)],
      ['409 sold out (waitlist full)', sum((x) => x.soldOut)],
      ['202 queued (hub saturated; retried after Retry-After, same key)', sum((x) => x.queued)],
      ['429 rate limited (retried after Retry-After, same key)', sum((x) => x.limited)],
      ['queued or 429 without Retry-After (must be 0)', sum((x) => x.withoutRetryAfter)],
      ['any other answer (must be 0)', sum((x) => x.failed)],
      ['database: units held by purchases (per run)', f((x) => x.heldInDb, int)],
      ['database: units taken from the cap (per run)', f((x) => x.takenInDb, int)],
      [
        '**oversold** (held or taken past the cap, or more 201s than the cap; must be 0)',
        sum((x) => x.oversold),
      ],
      ['users past the per-user limit (must be 0)', sum((x) => x.overLimitUsers)],
      ['201 answers whose purchase the database does not hold (must be 0)', sum((x) => x.answeredMissing)],
    ],
  );
  const failure = runs.find((x) => x.firstFailure !== undefined)?.firstFailure;
  return `## (d) Flash sale

${int(first?.buyers ?? 0)} registered buyers, a first-come sale of ${int(first?.cap ?? 0)} units, every
buyer sending one purchase at the opening over HTTP on loopback (${int(first?.inFlight ?? 0)} in flight, a
fresh Idempotency-Key each), on its own hub (\`bench/flash-hub.ts\`, SQLite, every purchase a durable
transaction); then as many \`GET /\` to a bare fastify server (\`bench/flash-ceiling.ts\`, no logger,
no hooks) from the same client: the ceiling. Latency is per HTTP answer (reserved, waitlisted,
queued or sold out). After each run the sale is read from the hub's database file, not from the
answers. ${runs.length} run(s), a fresh hub each; median (range).

${figures}

${answers}
${failure !== undefined ? `\n- First unexpected answer: \`${failure.replaceAll('`', "'")}\`\n` : ''}`;
}
