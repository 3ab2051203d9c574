import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly ecohub: string;
  readonly aedes: string;
  readonly mqttPacket: string;
  readonly betterSqlite3: string;
  /** 1/5/15-minute load averages when the bench started. */
  readonly loadAtStart: readonly number[];
  readonly date: string;
}

function packageVersion(dir: string): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const version =
      typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>)['version'] : undefined;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1] !== undefined) return match[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function machineInfo(root: string): MachineInfo {
  return {
    cpuModel: cpuModel(),
    cores: os.availableParallelism(),
    ramGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    ecohub: packageVersion(root),
    aedes: packageVersion(join(root, 'node_modules', 'aedes')),
    mqttPacket: packageVersion(join(root, 'node_modules', 'mqtt-packet')),
    betterSqlite3: packageVersion(join(root, 'node_modules', 'better-sqlite3')),
    loadAtStart: os.loadavg(),
    date: new Date().toISOString(),
  };
}
