/**
 * The price / BOM cost / margin chart of a model as an SVG image (docs/flash-sales.md, "The margin
 * chart"): step lines over time, because a price and a cost hold until the next one, and a marker
 * per production batch. Pure: the caller reads the history; this only draws it.
 */

export interface ChartInput {
  readonly title: string;
  readonly currency: string;
  readonly minorUnits: number;
  readonly now: number;
  /** Price periods: each SKU from its listing to its deactivation (null = still listed). */
  readonly prices: ReadonlyArray<{ from: number; until: number | null; priceMinor: number }>;
  /** BOM cost changes, by start. */
  readonly costs: ReadonlyArray<{ from: number; costMinor: number }>;
  /** Commission (bp) applied to every price for the margin line (the rate in force now). */
  readonly rateBp: number;
  readonly batches: ReadonlyArray<{ at: number; label: string; held: boolean }>;
}

const W = 800;
const H = 400;
const PAD = { left: 70, right: 20, top: 40, bottom: 50 };

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function money(minor: number, digits: number): string {
  return (minor / 10 ** digits).toFixed(digits);
}

function priceAt(input: ChartInput, t: number): number | null {
  let found: number | null = null;
  for (const p of input.prices) if (p.from <= t && (p.until === null || t < p.until)) found = p.priceMinor;
  return found;
}

function costAt(input: ChartInput, t: number): number | null {
  let found: number | null = null;
  for (const c of input.costs) if (c.from <= t) found = c.costMinor;
  return found;
}

/** Half-to-even commission, as the ledger rounds it (integers only). */
function commission(price: number, rateBp: number): number {
  const n = BigInt(price) * BigInt(rateBp);
  const q = n / 10000n;
  const r = n % 10000n;
  if (r * 2n < 10000n) return Number(q);
  if (r * 2n > 10000n) return Number(q + 1n);
  return Number(q % 2n === 0n ? q : q + 1n);
}

export function marginChartSvg(input: ChartInput): string {
  const times = [
    ...input.prices.flatMap((p) => (p.until === null ? [p.from] : [p.from, p.until])),
    ...input.costs.map((c) => c.from),
    ...input.batches.map((b) => b.at),
  ];
  const t0 = times.length > 0 ? Math.min(...times) : input.now - 86_400_000;
  const last = Math.max(input.now, ...times);
  // A margin to the right, so the steps that start at the latest change (often today) show.
  const t1 = last + Math.max(86_400_000, Math.round((last - t0) / 20));
  const breaks = [...new Set([t0, ...times.filter((t) => t > t0 && t < t1), t1])].sort((a, b) => a - b);
  type Point = { t: number; price: number | null; cost: number | null; margin: number | null };
  const points: Point[] = breaks.map((t) => {
    const price = priceAt(input, t);
    const cost = costAt(input, t);
    const margin = price !== null && cost !== null ? price - cost - commission(price, input.rateBp) : null;
    return { t, price, cost, margin };
  });
  const values = points.flatMap((p) => [p.price, p.cost, p.margin].filter((v): v is number => v !== null));
  const yMax = Math.max(1, ...values) * 1.1;
  const yMin = Math.min(0, ...values) * 1.1;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + ((yMax - v) / (yMax - yMin)) * (H - PAD.top - PAD.bottom);
  const step = (pick: (p: Point) => number | null): string => {
    let d = '';
    let open = false;
    for (const [i, p] of points.entries()) {
      const v = pick(p);
      const next = points[i + 1];
      if (v === null) {
        open = false;
        continue;
      }
      d += `${open ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(v).toFixed(1)}`;
      if (next) d += `L${x(next.t).toFixed(1)},${y(v).toFixed(1)}`;
      open = true;
    }
    return d;
  };
  const digits = input.minorUnits;
  const ticks = Array.from({ length: 5 }, (_, i) => yMin + ((yMax - yMin) * i) / 4);
  const date = (t: number) => new Date(t).toISOString().slice(0, 10);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(input.title)}">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    // Presentation attributes only (no <style>): the image is also inlined in pages under a strict CSP.
    '<g font-family="sans-serif" font-size="12" fill="#333">',
    `<text x="${PAD.left}" y="22" font-weight="bold" font-size="14">${escapeXml(input.title)}</text>`,
    ...ticks.map(
      (v) =>
        `<line stroke="#eee" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>` +
        `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${money(Math.round(v), digits)}</text>`,
    ),
    `<line stroke="#999" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}"/>`,
    `<text x="${PAD.left}" y="${H - 28}">${date(t0)}</text>`,
    `<text x="${W - PAD.right}" y="${H - 28}" text-anchor="end">${date(t1)}</text>`,
    ...input.batches.map(
      (b) =>
        `<line x1="${x(b.at).toFixed(1)}" x2="${x(b.at).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="${b.held ? '#c60' : '#888'}" stroke-dasharray="4 3"/>` +
        `<text x="${(x(b.at) + 3).toFixed(1)}" y="${PAD.top + 12}">${escapeXml(b.label)}</text>`,
    ),
    `<path d="${step((p) => p.price)}" fill="none" stroke="#1f77b4" stroke-width="2"><title>price</title></path>`,
    `<path d="${step((p) => p.cost)}" fill="none" stroke="#d62728" stroke-width="2"><title>BOM cost</title></path>`,
    `<path d="${step((p) => p.margin)}" fill="none" stroke="#2ca02c" stroke-width="2"><title>margin</title></path>`,
    `<g transform="translate(${PAD.left},${H - 12})">`,
    `<rect width="12" height="3" y="-4" fill="#1f77b4"/><text x="16">price (${escapeXml(input.currency)})</text>`,
    '<rect x="130" width="12" height="3" y="-4" fill="#d62728"/><text x="146">BOM cost</text>',
    `<rect x="230" width="12" height="3" y="-4" fill="#2ca02c"/><text x="246">margin after ${(input.rateBp / 100).toFixed(2)} % commission</text>`,
    '<rect x="470" width="12" height="3" y="-4" fill="#c60"/><text x="486">batch (held: orange)</text>',
    '</g>',
    '</g>',
    '</svg>',
  ];
  return parts.join('\n');
}
