import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { isRecord, type Json } from '../api/decode.js';

/** Reads `a.b.c` of a scorecard, as text for a table cell. */
function at(card: Json, path: string): unknown {
  let v: unknown = card;
  for (const k of path.split('.')) v = isRecord(v) ? v[k] : undefined;
  return v;
}

const pct = (v: unknown) => (typeof v === 'number' ? `${(v / 100).toFixed(2)} %` : '–');
const plain = (v: unknown) => (v === null || v === undefined ? '–' : String(v));
const reasons = (v: unknown) =>
  isRecord(v) && Object.keys(v).length > 0
    ? Object.entries(v)
        .map(([k, n]) => `${k} ${String(n)}`)
        .join(', ')
    : '–';

/** The figures of a scorecard, in the order (docs/certification.md, "Quality scorecards"). */
const ROWS: ReadonlyArray<[string, string, (v: unknown) => string]> = [
  ['Commands', 'commands.total', plain],
  ['Command success', 'commands.successRateBp', pct],
  ['Timeouts', 'commands.timeouts', plain],
  ['Reply latency p50 (ms)', 'replyLatencyMs.p50', plain],
  ['Reply latency p95 (ms)', 'replyLatencyMs.p95', plain],
  ['Offline hours per device per day', 'offline.hoursPerDevicePerDay', plain],
  ['Connects per device per day', 'connects.perDevicePerDay', plain],
  ['Rejected reports', 'rejectedReports.byReason', reasons],
  ['Update failure rate', 'updates.failureRateBp', pct],
  ['Units sold', 'sales.sold', plain],
  ['Refunds and returns', 'sales.refundRateBp', pct],
  ['Sold → activated', 'sales.activationRateBp', pct],
  [
    'Certification (latest)',
    'certification',
    (v) => {
      const first = Array.isArray(v) ? v[0] : undefined;
      return isRecord(first)
        ? `${String(first['kind'])} ${plain(first['verdict'])} v${String(first['version'])}`
        : '–';
    },
  ],
];

/** Models side by side: one column per model, one row per figure. */
export function ScorecardTable({ models }: { models: readonly Json[] }) {
  return (
    <div class="table-scroll">
      <table class="scorecards">
        <thead>
          <tr>
            <th scope="col">Figure</th>
            {models.map((m) => (
              <th scope="col" key={String(m['modelId'])} data-model={String(m['modelId'])}>
                {String(m['modelId'])}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ROWS.map(([label, path, show]) => (
            <tr key={path}>
              <th scope="row">{label}</th>
              {models.map((m) => (
                <td key={String(m['modelId'])} data-figure={path}>
                  {show(at(m, path))}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Commands per day and how many succeeded (uPlot), from a model scorecard's `daily`. */
export function DailyChart({ daily, label }: { daily: readonly Json[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || daily.length === 0) return;
    const xs = daily.map((d) => Date.parse(`${String(d['day'])}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth || (el.parentElement?.clientWidth ?? 0) - 32),
        height: 220,
        series: [
          {},
          { label: 'Commands', stroke: '#64748b', width: 2 },
          { label: 'Succeeded', stroke: '#0f766e', width: 2 },
          { label: 'Connects', stroke: '#b45309', width: 1 },
        ],
        axes: [{}, {}],
      },
      [
        xs,
        daily.map((d) => Number(d['commands'] ?? 0)),
        daily.map((d) => Number(d['commandsOk'] ?? 0)),
        daily.map((d) => Number(d['connects'] ?? 0)),
      ],
      el,
    );
    return () => plot.destroy();
  }, [daily]);
  return (
    <figure class="card">
      <figcaption>{label}</figcaption>
      {daily.length === 0 ? (
        <p class="muted">No traffic in this window yet.</p>
      ) : (
        <div ref={box} data-chart="daily" />
      )}
    </figure>
  );
}
