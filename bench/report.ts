import type { BenchConfig } from './config.js';
import type { ConnectRun, IngestRun, RoundTripRun, TargetResults } from './context.js';
import type { LoopDelay } from './loop-delay.js';
import type { MachineInfo } from './machine.js';
import type { ProfileSummary } from './profile.js';
import { findingsSection } from './report-findings.js';
import { flashSection } from './report-flash.js';
import { figure, fmtSpread, num, ratioText, sig, table } from './report-format.js';
import { methodSection } from './report-intro.js';
import { reportNotes } from './report-notes.js';
import type { FlashRun } from './scenarios/flash.js';
import { ratio } from './stats.js';
import { targetsSection } from './targets.js';

export interface BenchReport {
  readonly machine: MachineInfo;
  readonly loadAtEnd: readonly number[];
  readonly elapsedSeconds: number;
  readonly config: BenchConfig;
  /** Version, or undefined when the reference was not run. */
  readonly mosquittoVersion: string | undefined;
  /** Why mosquitto columns are empty, if they are. */
  readonly mosquittoNote: string | undefined;
  readonly hub: TargetResults;
  readonly mosquitto: TargetResults | undefined;
  /** Reports/s asked of the load generator for (c) under load. */
  readonly loadPerSec: number | undefined;
  readonly profiles: readonly ProfileSummary[];
  readonly errors: readonly string[];
  /** (d) the flash sale. */
  readonly flash: readonly FlashRun[];
}

type Pick<T> = (run: T) => number | undefined;

interface Row<T> {
  readonly label: string;
  readonly pick: Pick<T>;
  readonly format: (v: number) => string;
  /** Show ecohub / mosquitto. */
  readonly ratio?: boolean;
}

function rowsFor<T>(
  scenario: string,
  hub: readonly T[],
  ref: readonly T[] | undefined,
  rows: readonly Row<T>[],
): string[][] {
  return rows.map((r) => {
    const h = figure(hub, r.pick);
    const m = figure(ref, r.pick);
    return [
      scenario,
      r.label,
      fmtSpread(h, r.format),
      fmtSpread(m, r.format),
      r.ratio ? ratioText(ratio(h, m)) : '',
    ];
  });
}

const int = (v: number) => num(v, 0);
const kib = (v: number) => num(v, 1);
const mib = (v: number) => num(v / 1024, 1);
const sec = (v: number) => num(v, 2);

function latencyRows(prefix: string): Row<RoundTripRun>[] {
  return [
    { label: `${prefix} p50 (ms)`, pick: (r) => r.p50, format: sig, ratio: true },
    { label: `${prefix} p99 (ms)`, pick: (r) => r.p99, format: sig, ratio: true },
    { label: `${prefix} p99.9 (ms)`, pick: (r) => r.p999, format: sig, ratio: true },
    { label: `${prefix}: round trips measured per run`, pick: (r) => r.count, format: int },
  ];
}

function figuresSection(r: BenchReport): string {
  const h = r.hub;
  const m = r.mosquitto;
  const rows: string[][] = [
    ...rowsFor<ConnectRun>('(a) connect', h.connect, m?.connect, [
      { label: 'devices connected at once', pick: (x) => x.devices - x.failed, format: int },
      { label: 'connect rate (connections/s)', pick: (x) => x.connectPerSec, format: int, ratio: true },
      { label: 'RSS per connection (KiB)', pick: (x) => x.rssPerConnKiB, format: kib, ratio: true },
      { label: 'RSS before (MiB)', pick: (x) => x.rssBeforeKiB, format: mib },
      { label: 'RSS with all connected (MiB)', pick: (x) => x.rssAfterKiB, format: mib },
      {
        label: 'reconnect storm, all reconnected (s)',
        pick: (x) => x.stormSeconds,
        format: sec,
        ratio: true,
      },
    ]),
    ...rowsFor<IngestRun>('(b) ingest', h.ingest, m?.ingest, [
      {
        label: 'reports/s (ecohub: validated + persisted; mosquitto: delivered)',
        pick: (x) => x.perSec,
        format: int,
        ratio: true,
      },
      { label: 'publishes acknowledged by the server/s', pick: (x) => x.ackedPerSec, format: int },
      { label: 'ecohub_reports_accepted_total rate/s', pick: (x) => x.acceptedPerSec, format: int },
      { label: 'ingest batch size (mean reports/commit)', pick: (x) => x.batchMean, format: kib },
      { label: 'group-commit transaction (mean ms)', pick: (x) => x.transactionMs, format: sig },
      { label: 'receipt to commit = PUBACK delay (mean ms)', pick: (x) => x.ingestLatencyMs, format: sig },
      {
        label: 'duplicates + rejected (must be 0)',
        pick: (x) => (x.duplicates ?? 0) + (x.rejected ?? 0),
        format: int,
      },
    ]),
    ...rowsFor<RoundTripRun>('(c) round trip idle', h.rtIdle, m?.rtIdle, latencyRows('idle')),
    ...rowsFor<RoundTripRun>('(c) round trip loaded', h.rtLoaded, m?.rtLoaded, [
      ...latencyRows('under load'),
      { label: 'load during the round trips (reports/s)', pick: (x) => x.loadPerSec, format: int },
      { label: 'ecohub ingest meanwhile: batch size (mean)', pick: (x) => x.ingest?.batchMean, format: kib },
      {
        label: 'ecohub ingest meanwhile: transaction (mean ms)',
        pick: (x) => x.ingest?.transactionMs,
        format: sig,
      },
      {
        label: 'ecohub ingest meanwhile: PUBACK delay (mean ms)',
        pick: (x) => x.ingest?.ingestLatencyMs,
        format: sig,
      },
    ]),
  ];
  const hubErrors = [...h.rtIdle, ...h.rtLoaded].reduce((s, x) => s + x.errors, 0);
  const refErrors = m ? [...m.rtIdle, ...m.rtLoaded].reduce((s, x) => s + x.errors, 0) : 0;
  rows.push([
    '(c) round trip',
    'failed round trips (all runs)',
    int(hubErrors),
    m ? int(refErrors) : '–',
    '',
  ]);
  return table(
    ['scenario', 'figure', 'ecohub', `mosquitto ${r.mosquittoVersion ?? ''}`.trim(), 'ratio'],
    rows,
  );
}

function cpuSection(r: BenchReport): string {
  const cpuRows = <T extends { cpu: { server: number; generators: number; box: number } }>(
    label: string,
    hub: readonly T[],
    ref: readonly T[] | undefined,
  ): string[] => {
    const f = (runs: readonly T[] | undefined, pick: (x: T) => number) => fmtSpread(figure(runs, pick), int);
    return [
      label,
      f(hub, (x) => x.cpu.server),
      f(hub, (x) => x.cpu.generators),
      f(hub, (x) => x.cpu.box),
      f(ref, (x) => x.cpu.server),
      f(ref, (x) => x.cpu.generators),
      f(ref, (x) => x.cpu.box),
    ];
  };
  const stormOf = (runs: readonly ConnectRun[] | undefined) => runs?.map((x) => ({ cpu: x.stormCpu }));
  const rows = [
    cpuRows('(a) connect', r.hub.connect, r.mosquitto?.connect),
    cpuRows('(a) reconnect storm', stormOf(r.hub.connect) ?? [], stormOf(r.mosquitto?.connect)),
    cpuRows('(b) ingest', r.hub.ingest, r.mosquitto?.ingest),
    cpuRows('(c) round trip idle', r.hub.rtIdle, r.mosquitto?.rtIdle),
    cpuRows('(c) round trip loaded', r.hub.rtLoaded, r.mosquitto?.rtLoaded),
  ];
  return `CPU over each measured interval, % of one core (the box: % of all ${r.machine.cores} cores, every process on it).

${table(['scenario', 'ecohub', 'generators', 'box', 'mosquitto', 'generators', 'box'], rows)}`;
}

function loopDelaySection(r: BenchReport): string {
  type Runs = readonly { loopDelay?: LoopDelay | undefined }[];
  const cells = (runs: Runs): string[] => {
    const f = (pick: (d: LoopDelay) => number) =>
      fmtSpread(
        figure(runs, (x) => (x.loopDelay === undefined ? undefined : pick(x.loopDelay))),
        sig,
      );
    return [f((d) => d.p50), f((d) => d.p99), f((d) => d.max), f((d) => d.samples)];
  };
  const storm = r.hub.connect.map((x) => ({ loopDelay: x.stormLoopDelay }));
  const rows = [
    ['(a) connect', ...cells(r.hub.connect)],
    ['(a) reconnect storm', ...cells(storm)],
    ['(b) ingest', ...cells(r.hub.ingest)],
    ['(c) round trip idle', ...cells(r.hub.rtIdle)],
    ['(c) round trip loaded', ...cells(r.hub.rtLoaded)],
  ];
  return `The hub's event-loop delay over each measured interval, ms (\`ecohub_event_loop_delay_seconds\`:
a timer due every 10 ms, each sample how late it fired; percentiles interpolated in the histogram's
buckets, the max is the upper bound of the highest bucket hit). Mosquitto has no such figure.

${table(['scenario', 'p50', 'p99', 'max (bucket bound)', 'samples'], rows)}`;
}

function machineSection(r: BenchReport): string {
  const m = r.machine;
  const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  return table(
    ['', ''],
    [
      ['date', m.date],
      [
        'mode',
        `${r.config.mode} (${r.config.runs} runs per figure), ${Math.round(r.elapsedSeconds)} s in all`,
      ],
      ['CPU', `${m.cpuModel}, ${m.cores} cores`],
      ['RAM', `${num(m.ramGiB, 1)} GiB`],
      ['OS', m.kernel],
      [
        'load average (1/5/15 min)',
        `${load(m.loadAtStart)} at start, ${load(r.loadAtEnd)} at end (other engineers' builds and tests share this box)`,
      ],
      ['Node.js', m.node],
      ['ecohub', m.ecohub],
      ['aedes / mqtt-packet / better-sqlite3', `${m.aedes} / ${m.mqttPacket} / ${m.betterSqlite3}`],
      ['mosquitto', r.mosquittoVersion ?? `not run: ${r.mosquittoNote ?? 'unknown'}`],
    ],
  );
}

function profileSection(r: BenchReport): string {
  if (r.profiles.length === 0) {
    return `## Where the hub's time goes

Not profiled in this run (${r.config.mode} mode; \`npm run bench\` profiles, or pass \`--profile\`).`;
  }
  const parts = r.profiles.map((p) => {
    const areas = table(
      ['area', 'self time (ms)', '% of busy'],
      p.areas.slice(0, 10).map((a) => [a.name, int(a.selfMs), num(a.percent, 1)]),
    );
    const fns = table(
      ['function (file:line)', 'self time (ms)', '% of busy'],
      p.functions.map((f) => [`\`${f.name.replaceAll('|', '\\|')}\``, int(f.selfMs), num(f.percent, 1)]),
    );
    const top = p.areas
      .slice(0, 3)
      .map((a) => `${a.name} (${num(a.percent, 0)}%)`)
      .join(', ');
    return `### ${p.label}

Busy ${int(p.busyMs)} ms, idle ${int(p.idleMs)} ms. Most of the busy time: ${top}.

${areas}

${fns}`;
  });
  return `## Where the hub's time goes

Extra runs (not counted above) with the hub under \`node --cpu-prof\`; self time summed per
function and per area from the \`.cpuprofile\` (\`bench/profile.ts\`). The profiler itself slows
the hub a little.

${parts.join('\n\n')}`;
}

export function renderReport(r: BenchReport): string {
  const notes = reportNotes(r);
  return `${methodSection(r.config)}
## Results

${machineSection(r)}

${figuresSection(r)}

${notes.join('\n')}

${cpuSection(r)}

${loopDelaySection(r)}

${flashSection(r)}

${targetsSection(r)}

${profileSection(r)}

${findingsSection()}`;
}
