/**
 * Semantic versions (semver.org 2.0.0) as firmware carries them: `MAJOR.MINOR.PATCH`, an optional
 * pre-release (`-beta.2`) and build metadata (`+abc`, ignored when comparing, item 10).
 */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly pre: readonly (string | number)[];
  readonly text: string;
}

const SEMVER =
  /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export const SEMVER_PATTERN = SEMVER.source;

export function parseSemVer(text: string): SemVer | undefined {
  if (text.length > 64) return undefined;
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  const pre = m[4] === undefined ? [] : m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre, text };
}

/** Negative when a < b, positive when a > b, 0 when equal in precedence (semver.org item 11). */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] - b[k];
  }
  // A version without a pre-release ranks above the same version with one.
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Compares two version strings; an unparsable one ranks below every valid version. */
export function compareVersions(a: string, b: string): number {
  const x = parseSemVer(a);
  const y = parseSemVer(b);
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  return compareSemVer(x, y);
}

/**
 * A version range as rollouts take it: space-separated comparators that must all hold, e.g.
 * `>=1.2.0 <2.0.0`, or one exact version `1.4.2`.
 */
export function parseRange(text: string): ((version: string) => boolean) | string {
  const parts = text.trim().split(/\s+/);
  if (parts.length === 0 || parts.length > 4 || text.trim() === '') return 'must hold 1 to 4 comparators';
  const tests: Array<(v: SemVer) => boolean> = [];
  for (const part of parts) {
    const m = /^(>=|<=|>|<|=)?(.+)$/.exec(part);
    const bound = m?.[2] === undefined ? undefined : parseSemVer(m[2]);
    if (!m || !bound) return `'${part}' is not a comparator like >=1.2.0`;
    const op = m[1] ?? '=';
    tests.push((v) => {
      const c = compareSemVer(v, bound);
      return op === '>=' ? c >= 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : op === '<' ? c < 0 : c === 0;
    });
  }
  return (version) => {
    const v = parseSemVer(version);
    return v !== undefined && tests.every((t) => t(v));
  };
}
