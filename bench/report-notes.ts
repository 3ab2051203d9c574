import type { BenchReport } from './report.js';
import { figure, num } from './report-format.js';

const int = (v: number) => num(v, 0);

/** The notes under the figures table: how the load was chosen, saturation, errors. */
export function reportNotes(r: BenchReport): string[] {
  const notes: string[] = [];
  if (r.mosquitto === undefined)
    notes.push(`- mosquitto columns are empty: ${r.mosquittoNote ?? 'not run'}.`);
  if (r.loadPerSec !== undefined) {
    const { loadTargetPerSec, loadFraction } = r.config.roundTrip;
    notes.push(
      r.loadPerSec < loadTargetPerSec
        ? `- (c) under load: the hub does not sustain ${int(loadTargetPerSec)} reports/s on this box, so the load was ` +
            `${int(r.loadPerSec)} reports/s (${num(loadFraction * 100, 0)}% of its median full-speed ingest in (b)), ` +
            'for mosquitto too. The achieved rate is in the table.'
        : `- (c) under load: the load generator was asked for ${int(r.loadPerSec)} reports/s.`,
    );
  }
  const achieved = figure(r.hub.rtLoaded, (x) => x.loadPerSec);
  if (r.loadPerSec !== undefined && achieved !== undefined && achieved.median < 0.95 * r.loadPerSec) {
    notes.push(
      `- (c) under load: the hub kept up with only ${int(achieved.median)} of the ${int(r.loadPerSec)} reports/s asked ` +
        `(less than ${num(r.config.roundTrip.loadFraction * 100, 0)}% of what it did in (b): compare the transaction time per report, which grows with the ` +
        'database), so it was saturated and its round trips waited behind full group commits.',
    );
  }
  notes.push(...saturationNotes(r));
  for (const e of r.errors) notes.push(`- ERROR: ${e}`);
  return notes;
}

/** Where mosquitto's runs had the whole box busy, its figure is a lower bound: say so. */
function saturationNotes(r: BenchReport): string[] {
  const m = r.mosquitto;
  if (m === undefined) return [];
  const storm = m.connect.map((x) => ({ cpu: x.stormCpu }));
  const cases: Array<[string, readonly { cpu: { server: number; generators: number; box: number } }[]]> = [
    ['(a) connect', m.connect],
    ['(a) reconnect storm', storm],
    ['(b) ingest', m.ingest],
  ];
  const notes: string[] = [];
  for (const [label, runs] of cases) {
    const box = figure(runs, (x) => x.cpu.box);
    if (box === undefined || box.median < 95) continue;
    const gens = figure(runs, (x) => x.cpu.generators);
    const server = figure(runs, (x) => x.cpu.server);
    notes.push(
      `- ${label}, mosquitto: the ${r.machine.cores}-core box was saturated (${int(box.median)}%; generators ` +
        `${int(gens?.median ?? Number.NaN)}% and mosquitto ${int(server?.median ?? Number.NaN)}% of one core): ` +
        "mosquitto's figure is a lower bound, and the ratio flatters ecohub.",
    );
  }
  return notes;
}
