import catalog from '../../../src/registry/spec/categories.json' with { type: 'json' };

/** Unit symbols by unit id, from the hub's own unit list (docs/spec.md). */
const SYMBOLS = new Map<string, string>(catalog.units.map((u) => [u.id, u.symbol]));

export function unitSymbol(unit: string | undefined): string {
  if (unit === undefined) return '';
  return SYMBOLS.get(unit) ?? unit;
}

// Words that read better in capitals than as the kebab-case spec names spell them.
const WORDS: Record<string, string> = {
  pm25: 'PM2.5',
  pm10: 'PM10',
  co2: 'CO₂',
  tvoc: 'TVOC',
  rgb: 'RGB',
  id: 'ID',
  led: 'LED',
  uv: 'UV',
  hcho: 'HCHO',
};

/** `filter-life-level` -> `Filter life level`: a spec name as a label. */
export function humanize(name: string): string {
  // MIoT's `on` is the power switch of its service; "On" beside a switch that is off reads wrong.
  if (name === 'on') return 'Power';
  const words = name.split('-').filter((w) => w !== '');
  return words.map((w, i) => WORDS[w] ?? (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w)).join(' ');
}

/** Decimal places a value needs to show its step (0.1 -> 1, 0.01 -> 2, 5 -> 0). */
export function decimalsOf(step: number | undefined, float: boolean): number {
  if (step === undefined || !(step > 0)) return float ? 2 : 0;
  const text = String(step);
  const exp = /e-(\d+)$/.exec(text);
  if (exp?.[1]) return Number(exp[1]);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : Math.min(6, text.length - dot - 1);
}
