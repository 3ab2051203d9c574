import { type Spread, spread } from './stats.js';

/** Number formatting for the markdown report. */

export function num(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Significant-digit formatting for latencies and ratios of any size. */
export function sig(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return num(value, digits);
}

export function fmtSpread(s: Spread | undefined, format: (v: number) => string): string {
  if (s === undefined) return '–';
  if (s.runs === 1) return format(s.median);
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

export function figure<T>(
  runs: readonly T[] | undefined,
  pick: (run: T) => number | undefined,
): Spread | undefined {
  if (runs === undefined) return undefined;
  return spread(runs.map((r) => pick(r) ?? Number.NaN));
}

export function ratioText(value: number): string {
  return Number.isFinite(value) ? `${sig(value)}x` : '–';
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
