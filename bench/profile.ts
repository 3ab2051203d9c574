import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a V8 CPU profile (node --cpu-prof, a .cpuprofile JSON file) spends its time: self time per
 * function and per area (a package, a hub module, node core, GC).
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  /** Microseconds on the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime). */
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileRow {
  readonly name: string;
  readonly selfMs: number;
  /** Of the busy (non-idle) time. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly label: string;
  readonly busyMs: number;
  readonly idleMs: number;
  readonly functions: ProfileRow[];
  readonly areas: ProfileRow[];
}

function asProfile(value: unknown): CpuProfile {
  if (typeof value !== 'object' || value === null) throw new Error('not a CPU profile');
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v['nodes']) || !Array.isArray(v['samples']) || !Array.isArray(v['timeDeltas'])) {
    throw new Error('not a CPU profile: nodes, samples or timeDeltas missing');
  }
  return value as CpuProfile;
}

/** The one .cpuprofile file node wrote into `dir`. */
export function readProfile(dir: string): unknown {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
}

function shortUrl(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

export function areaOf(frame: CallFrame, root: string): string {
  const name = frame.functionName;
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(program)') return '(program): V8 and native code outside JS functions';
  if (frame.url === '') return 'V8 builtins and native functions';
  // node core by module: "node core 37%" alone would not say whether sockets, streams or timers cost it.
  if (frame.url.startsWith('node:')) return `node core: ${frame.url.slice(5).replace(/^internal\//, '')}`;
  const path = shortUrl(frame.url, root);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg?.[1] !== undefined) return pkg[1];
  const own = /^dist\/src\/([^/]+)(?:\/([^/.]+)\/)?/.exec(path);
  if (own?.[1] !== undefined) return `ecohub src/${own[1]}${own[2] !== undefined ? `/${own[2]}` : ''}`;
  return path;
}

function rows(totals: Map<string, number>, busy: number, limit: number): ProfileRow[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, selfMs: us / 1000, percent: busy > 0 ? (100 * us) / busy : 0 }));
}

/** Now on the monotonic clock every process of the box shares, in microseconds (a profile's time base). */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** A span of a profile to summarise (monotonicUs() before and after the workload). */
export interface ProfileWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

/**
 * Self time per function and area. With `window`, only the samples taken in it: a profile covers
 * the hub's whole life, start-up (schema compilation) included, which would drown a short workload.
 */
export function summariseProfile(
  value: unknown,
  label: string,
  root: string,
  limit = 15,
  window?: ProfileWindow,
): ProfileSummary {
  const profile = asProfile(value);
  const byId = new Map<number, CallFrame>();
  for (const node of profile.nodes) byId.set(node.id, node.callFrame);
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  // timeDeltas[i] is the time before sample i: the interval after a sample belongs to it.
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window !== undefined && (at < window.fromUs || at > window.toUs)) continue;
    const frame = byId.get(profile.samples[i] ?? -1);
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (frame === undefined || us <= 0) continue;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const key =
      frame.url === ''
        ? frame.functionName || '(anonymous)'
        : `${frame.functionName || '(anonymous)'} (${shortUrl(frame.url, root)}:${frame.lineNumber + 1})`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    const area = areaOf(frame, root);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  return {
    label,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    functions: rows(functions, busy, limit),
    areas: rows(areas, busy, limit),
  };
}
