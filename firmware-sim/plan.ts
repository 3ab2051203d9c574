import { readFileSync } from 'node:fs';

/**
 * How a fleet is laid out over processes and source addresses, computed before anything connects.
 *
 * Two limits decide it:
 * - file descriptors: every connection is one, and a process may hold 20,000 here (`ulimit -n`);
 *   leaving headroom for the runtime, a process simulates at most 15,000 devices;
 * - ephemeral ports: a connection from one source address takes one port of the local range
 *   (32768..60999 on Linux: 28,232 ports). With `localAddress` bound, the port is chosen at bind()
 *   time and must be unique per source address whatever the destination, and TIME_WAIT from
 *   reconnect churn holds ports too, so a source address serves at most 90% of the range.
 *   Past that the fleet binds 127.0.0.2, 127.0.0.3, ...: on Linux the whole of 127.0.0.0/8 is
 *   loopback, so this works whenever the hub listens on loopback.
 */

export const DEFAULT_DEVICES_PER_PROCESS = 15_000;
/** Linux's default range when /proc cannot be read. */
const FALLBACK_PORT_RANGE = 60_999 - 32_768 + 1;

export interface PlanInput {
  readonly count: number;
  /** Host of the hub URL; extra source addresses are only chosen for a loopback hub. */
  readonly hubHost: string;
  readonly devicesPerProcess?: number | undefined;
  /** Connections one source address may hold; default 90% of the ephemeral port range. */
  readonly devicesPerAddress?: number | undefined;
  /** Explicit source addresses; overrides the automatic 127.0.0.x choice. */
  readonly sourceAddresses?: readonly string[] | undefined;
}

export interface ProcessPlan {
  /** Devices [start, end) of the fleet's list. */
  readonly start: number;
  readonly end: number;
}

export interface FleetPlan {
  readonly processes: readonly ProcessPlan[];
  /** Source addresses to bind, device i using `addresses[i % length]`; empty = let the OS choose. */
  readonly addresses: readonly string[];
  readonly devicesPerAddress: number;
  readonly devicesPerProcess: number;
  /** Problems the plan cannot solve (e.g. a remote hub with more devices than one address serves). */
  readonly warnings: readonly string[];
}

export function ephemeralPortCount(): number {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low !== undefined && high !== undefined && high >= low) return high - low + 1;
  } catch {
    // Not Linux, or /proc is not mounted: assume Linux's default.
  }
  return FALLBACK_PORT_RANGE;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function planFleet(input: PlanInput): FleetPlan {
  const perProcess = input.devicesPerProcess ?? DEFAULT_DEVICES_PER_PROCESS;
  const perAddress = input.devicesPerAddress ?? Math.floor(ephemeralPortCount() * 0.9);
  if (!(perProcess >= 1) || !(perAddress >= 1))
    throw new Error('devices per process and per address must be >= 1');
  const warnings: string[] = [];
  const needed = Math.ceil(input.count / perAddress);
  let addresses: readonly string[] = input.sourceAddresses ?? [];
  if (addresses.length === 0 && needed > 1) {
    if (isLoopbackHost(input.hubHost)) {
      if (needed > 253)
        warnings.push(`${input.count} devices need ${needed} source addresses; 127.0.0.2..254 hold 253`);
      addresses = Array.from({ length: Math.min(needed, 253) }, (_, i) => `127.0.0.${i + 2}`);
    } else {
      warnings.push(
        `${input.count} devices need ${needed} source addresses (${perAddress} connections each) ` +
          `to reach ${input.hubHost}; pass source addresses this host owns`,
      );
    }
  } else if (addresses.length > 0 && addresses.length < needed) {
    warnings.push(
      `${addresses.length} source addresses serve ${addresses.length * perAddress} devices, not ${input.count}`,
    );
  }
  const processes: ProcessPlan[] = [];
  const count = Math.ceil(input.count / perProcess);
  // Even slices: 20,000 devices become two processes of 10,000, not 15,000 + 5,000.
  const size = count === 0 ? 0 : Math.ceil(input.count / count);
  for (let start = 0; start < input.count; start += size) {
    processes.push({ start, end: Math.min(input.count, start + size) });
  }
  return { processes, addresses, devicesPerAddress: perAddress, devicesPerProcess: perProcess, warnings };
}
