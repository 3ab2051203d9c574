import type { ConnectRun, RoundTripRun } from './context.js';
import type { BenchReport } from './report.js';
import { flashRatio, flashViolations } from './report-flash.js';
import { figure, num, sig, table } from './report-format.js';
import { ratio, type Spread } from './stats.js';

/** The "Targets" section: where the hub stands against each goal, said plainly. */

const FULL_DEVICES = 19_500;

type Verdict = 'met' | 'NOT met' | 'not measured';

function verdict(value: number, limit: number, atMost: boolean): Verdict {
  if (!Number.isFinite(value)) return 'not measured';
  return (atMost ? value <= limit : value >= limit) ? 'met' : 'NOT met';
}

function range(s: Spread | undefined, format: (v: number) => string): string {
  return s === undefined ? '–' : `${format(s.median)} (runs ${format(s.min)}–${format(s.max)})`;
}

export function targetsSection(r: BenchReport): string {
  const h = r.hub;
  const m = r.mosquitto;
  const ingestRatio = ratio(
    figure(h.ingest, (x) => x.perSec),
    figure(m?.ingest, (x) => x.perSec),
  );
  const p99 = (runs: readonly RoundTripRun[] | undefined) => figure(runs, (x) => x.p99);
  const idleRatio = ratio(p99(h.rtIdle), p99(m?.rtIdle));
  const loadedRatio = ratio(p99(h.rtLoaded), p99(m?.rtLoaded));
  const loadedVsIdle = ratio(p99(h.rtLoaded), p99(m?.rtIdle));
  const rss = figure(h.connect, (x: ConnectRun) => x.rssPerConnKiB);
  const storm = figure(h.connect, (x: ConnectRun) => x.stormSeconds);
  const stormRatio = ratio(
    storm,
    figure(m?.connect, (x: ConnectRun) => x.stormSeconds),
  );
  const connectRatio = ratio(
    figure(h.connect, (x: ConnectRun) => x.connectPerSec),
    figure(m?.connect, (x: ConnectRun) => x.connectPerSec),
  );
  const loadedP99 = p99(h.rtLoaded);
  const ingestDelay = figure(h.ingest, (x) => x.loopDelay?.p99);
  const devices = figure(h.connect, (x: ConnectRun) => x.devices - x.failed);
  const stormFailures = h.connect.reduce((s, x) => s + x.stormFailed, 0);
  const allConnected = devices !== undefined && devices.min >= FULL_DEVICES;
  const small = r.config.connect.devices < FULL_DEVICES;
  const sizeNote = small
    ? ` (${r.config.mode} mode: ${r.config.connect.devices} devices, not ${FULL_DEVICES.toLocaleString('en-US')}: indicative only)`
    : '';
  const fullSize = (v: Verdict): Verdict => (small ? 'not measured' : allConnected ? v : 'NOT met');
  const loadedVerdict: Verdict =
    verdict(loadedRatio, 2, true) === 'met' && verdict(loadedP99?.median ?? Number.NaN, 5, true) === 'met'
      ? 'met'
      : Number.isFinite(loadedRatio)
        ? 'NOT met'
        : 'not measured';
  const rows: string[][] = [
    [
      'validated + persisted QoS 1 ingest >= 1.0x mosquitto plain QoS 1 fan-in relay',
      `${sig(ingestRatio)}x`,
      verdict(ingestRatio, 1, false),
    ],
    [
      'command round trip p99 idle <= 1.5x mosquitto p99 idle',
      `${sig(idleRatio)}x`,
      verdict(idleRatio, 1.5, true),
    ],
    [
      'command round trip p99 under ingest load <= 2x mosquitto p99 (under the same load), and under 5 ms',
      `${sig(loadedRatio)}x (vs mosquitto idle: ${sig(loadedVsIdle)}x); ${range(loadedP99, sig)} ms`,
      loadedVerdict,
    ],
    [
      `reconnect storm of ${FULL_DEVICES.toLocaleString('en-US')} devices <= 1.5x mosquitto`,
      `${sig(stormRatio)}x; ${range(storm, (v) => num(v, 2))} s${stormFailures > 0 ? `, ${stormFailures} reconnects failed` : ''}${sizeNote}`,
      stormFailures > 0 ? 'NOT met' : fullSize(verdict(stormRatio, 1.5, true)),
    ],
    [
      'connect rate with auth >= 0.7x mosquitto (no auth)',
      `${sig(connectRatio)}x${sizeNote}`,
      fullSize(verdict(connectRatio, 0.7, false)),
    ],
    [
      `RSS per idle connection <= 6 KiB (${FULL_DEVICES.toLocaleString('en-US')} devices connected)`,
      `${range(devices, (v) => num(v, 0))} connected; ${range(rss, (v) => num(v, 1))} KiB${sizeNote}`,
      fullSize(verdict(rss?.median ?? Number.NaN, 6, true)),
    ],
    [
      'event-loop delay p99 under full ingest <= 5 ms',
      `${range(ingestDelay, sig)} ms`,
      verdict(ingestDelay?.median ?? Number.NaN, 5, true),
    ],
    [
      'flash sale: purchase answers/s >= 0.3x a trivial fastify route, 0 oversold in every run',
      `${sig(flashRatio(r.flash))}x; ${flashViolations(r.flash)} oversold, past the limit or lost`,
      r.flash.length === 0
        ? 'not measured'
        : flashViolations(r.flash) > 0
          ? 'NOT met'
          : verdict(flashRatio(r.flash), 0.3, false),
    ],
  ];
  const short = rows
    .filter((row) => row[2] === 'NOT met')
    .map((row) => `- **Short of target:** ${row[0]}: ${row[1]}.`);
  const unmeasured = rows
    .filter((row) => row[2] === 'not measured')
    .map((row) => `- Not measured in this run: ${row[0]}.`);
  return `## Targets

${table(['target', 'ecohub', 'verdict'], rows)}

${[...short, ...unmeasured].join('\n') || '- Every target was met in this run.'}`;
}
