import { readFileSync } from 'node:fs';

/**
 * Readings from /proc (Linux): a process' resident memory and CPU time, and the whole box's CPU.
 * Clock ticks are USER_HZ, 100 on every Linux this runs on (`getconf CLK_TCK`).
 */
const TICKS_PER_SECOND = 100;

/** VmRSS of a process in KiB, or undefined when it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] !== undefined ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a process used so far (utime + stime, fields 14-15 of /proc/PID/stat). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

interface BoxTicks {
  readonly busy: number;
  readonly total: number;
}

function boxTicks(): BoxTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuWindowResult {
  readonly seconds: number;
  /** Per watched group: CPU used as % of one core (several processes may add past 100). */
  readonly percent: Record<string, number>;
  /** The whole machine, every process (other engineers' too): % of all cores. */
  readonly boxPercent: number;
}

/** CPU use of groups of processes over an interval: `const w = cpuWindow(...); ...; w.end()`. */
export function cpuWindow(groups: Record<string, readonly number[]>): { end(): CpuWindowResult } {
  const started = performance.now();
  const box = boxTicks();
  const before = Object.fromEntries(
    Object.entries(groups).map(([name, pids]) => [name, pids.reduce((s, pid) => s + cpuSeconds(pid), 0)]),
  );
  return {
    end(): CpuWindowResult {
      const seconds = (performance.now() - started) / 1000;
      const boxAfter = boxTicks();
      const percent: Record<string, number> = {};
      for (const [name, pids] of Object.entries(groups)) {
        const used = pids.reduce((s, pid) => s + cpuSeconds(pid), 0) - (before[name] ?? 0);
        percent[name] = seconds > 0 ? (100 * used) / seconds : 0;
      }
      const total = boxAfter.total - box.total;
      return {
        seconds,
        percent,
        boxPercent: total > 0 ? (100 * (boxAfter.busy - box.busy)) / total : 0,
      };
    },
  };
}
