import { useEffect, useId, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { UserApi } from '../api/client.js';
import type { HistorySeries } from '../api/types.js';
import type { DeviceLive } from '../live/device-live.js';
import { chartable, formatValue, primaryReading, propertyControl } from '../spec/controls.js';
import type { CompiledSpec } from '../spec/model.js';
import { errorText } from '../ui/hooks.js';

/** Time windows a user can pick; wider ones ask the hub for buckets (min/max/avg) instead of raw points. */
export const WINDOWS = [
  { id: '1h', label: 'Last hour', ms: 3600_000, bucketMs: undefined },
  { id: '24h', label: 'Last 24 hours', ms: 24 * 3600_000, bucketMs: 5 * 60_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000, bucketMs: 3600_000 },
] as const;

type Points = { xs: number[]; ys: number[] };

/** History as x (seconds) and y arrays for uPlot: raw values, or each bucket's average at its start. */
export function toPoints(series: HistorySeries): Points {
  const xs: number[] = [];
  const ys: number[] = [];
  if (series.kind === 'points') {
    for (const p of series.points) {
      if (typeof p.value !== 'number') continue;
      xs.push(Date.parse(p.ts) / 1000);
      ys.push(p.value);
    }
  } else {
    for (const b of series.buckets) {
      if (b.avg === null) continue;
      xs.push(Date.parse(b.start) / 1000);
      ys.push(b.avg);
    }
  }
  return { xs, ys };
}

/** Axis labels with as many decimals as the tick spacing needs (0.5 steps show 0.5, not 1). */
export function tickLabels(ticks: readonly number[], unit: string): string[] {
  const spacing = ticks.length > 1 ? Math.abs((ticks[1] ?? 0) - (ticks[0] ?? 0)) : 1;
  const decimals = spacing > 0 && spacing < 1 ? Math.min(6, Math.ceil(-Math.log10(spacing))) : 0;
  return ticks.map((t) => {
    const text = t.toLocaleString(undefined, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    return unit ? `${text} ${unit}` : text;
  });
}

function accent(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() || '#0f766e';
}

/** A history chart (uPlot) of one numeric property; live reports extend it without polling. */
export function HistoryChart({ api, spec, live }: { api: UserApi; spec: CompiledSpec; live: DeviceLive }) {
  const props = useMemo(() => chartable(spec), [spec]);
  const id = useId();
  // Sensors first: a reading that changes by itself is what a history is for.
  const [key, setKey] = useState((primaryReading(spec) ?? props[0])?.key ?? '');
  const [range, setRange] = useState<[number, number]>([0, 0]);
  const [windowId, setWindowId] = useState<(typeof WINDOWS)[number]['id']>('24h');
  const [data, setData] = useState<Points | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const win = WINDOWS.find((w) => w.id === windowId) ?? WINDOWS[1];
  const prop = props.find((p) => p.key === key);
  const control = prop ? propertyControl(prop) : undefined;

  useEffect(() => {
    if (!key) return;
    let cancelled = false;
    setData(undefined);
    setError(undefined);
    const to = Date.now() + 1;
    setRange([(to - win.ms) / 1000, to / 1000]);
    api.history(live.id, key, to - win.ms, to, win.bucketMs).then(
      (series) => !cancelled && setData(toPoints(series)),
      (err: unknown) => !cancelled && setError(errorText(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [api, live.id, key, win]);

  // Live reports of this property extend the chart.
  useEffect(() => {
    let last = live.reported.get(key)?.version;
    return live.subscribe(() => {
      const r = live.reported.get(key);
      if (r === undefined || r.version === last || typeof r.value !== 'number') return;
      last = r.version;
      const x = Date.parse(r.at) / 1000;
      const value = r.value;
      setData((d) =>
        d === undefined || (d.xs.length > 0 && x <= (d.xs[d.xs.length - 1] ?? 0))
          ? d
          : { xs: [...d.xs, x], ys: [...d.ys, value] },
      );
    });
  }, [live, key]);

  useEffect(() => {
    const el = box.current;
    if (el === null || data === undefined || data.xs.length === 0 || control === undefined) return;
    const width = Math.max(240, el.clientWidth);
    const opts: uPlot.Options = {
      width,
      height: 220,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // The whole window, not just where readings are: one reading must not stretch over years.
      scales: {
        x: {
          time: true,
          range: () => [range[0], Math.max(range[1], (data.xs[data.xs.length - 1] ?? 0) + 1)],
        },
      },
      axes: [{}, { values: (_u, ticks) => tickLabels(ticks, control.unit), size: 72 }],
      series: [
        {},
        { label: control.label, stroke: accent(), width: 2, points: { show: data.xs.length < 60 } },
      ],
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, [data.xs, data.ys], el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(240, el.clientWidth), height: 220 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [data, control, range]);

  if (props.length === 0 || control === undefined) return null;
  const last = data?.ys[data.ys.length - 1];
  const summary =
    data === undefined || data.ys.length === 0
      ? 'No readings in this period.'
      : `${data.ys.length} readings; lowest ${formatValue(control, Math.min(...data.ys))}, highest ${formatValue(control, Math.max(...data.ys))}, latest ${formatValue(control, last)}.`;
  return (
    <section class="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>History</h2>
      <div class="chart-controls">
        <label for={`${id}-prop`}>Property</label>
        <select id={`${id}-prop`} value={key} onChange={(e) => setKey(e.currentTarget.value)}>
          {props.map((p) => (
            <option key={p.key} value={p.key}>
              {propertyControl(p).label}
            </option>
          ))}
        </select>
        <label for={`${id}-win`}>Period</label>
        <select
          id={`${id}-win`}
          value={windowId}
          onChange={(e) => setWindowId(e.currentTarget.value as typeof windowId)}
        >
          {WINDOWS.map((w) => (
            <option key={w.id} value={w.id}>
              {w.label}
            </option>
          ))}
        </select>
      </div>
      {error ? (
        <p class="error-note" role="alert">
          {error}
        </p>
      ) : (
        <>
          <div
            class="chart"
            ref={box}
            role="img"
            aria-label={`${control.label}, ${win.label.toLowerCase()}: ${summary}`}
            data-points={data?.xs.length ?? 0}
          />
          <p class="muted">{data === undefined ? 'Loading…' : summary}</p>
        </>
      )}
    </section>
  );
}
