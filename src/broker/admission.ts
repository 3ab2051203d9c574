import net from 'node:net';
import { TokenBuckets } from '../rate-limit.js';

/** How many unauthenticated connections one source may hold, and how fast it may open them. */
export interface AdmissionLimits {
  /** Connections of one address that have not been accepted (no CONNACK 0) yet. */
  readonly maxPendingPerAddress: number;
  /** New connections per address per second on average ... */
  readonly connectRatePerAddress: number;
  /** ... and at once (a NAT full of devices reconnecting after an outage). */
  readonly connectBurstPerAddress: number;
  readonly now: () => number;
}

export type Admission = 'admitted' | 'too-many-pending' | 'too-fast';

/**
 * The source a limit applies to: an IPv4 address, or the /64 of an IPv6 one (one subscriber's
 * allocation: per address would let a single host rotate through 2^64 of them).
 */
export function sourceKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (net.isIPv4(v4)) return v4;
  if (!net.isIPv6(address)) return address;
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Admission of new MQTT connections by source, before any CONNECT is read: one source cannot hold
 * every connection slot with sockets that never authenticate, nor monopolise the connect path.
 * Node-local state, bounded by the number of sources with a pending connection (and the buckets'
 * own bound).
 */
export class ConnectionAdmission {
  readonly #limits: AdmissionLimits;
  readonly #pending = new Map<string, number>();
  readonly #rate: TokenBuckets;

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
    this.#rate = new TokenBuckets({
      ratePerSec: limits.connectRatePerAddress,
      burst: limits.connectBurstPerAddress,
      now: limits.now,
    });
  }

  /** Admits a new connection from `source` (it is then pending until `settle`), or says why not. */
  admit(source: string): Admission {
    const pending = this.#pending.get(source) ?? 0;
    if (pending >= this.#limits.maxPendingPerAddress) return 'too-many-pending';
    if (this.#rate.take(source) > 0) return 'too-fast';
    this.#pending.set(source, pending + 1);
    return 'admitted';
  }

  /** The connection from `source` was accepted (CONNACK 0) or closed: it no longer counts as pending. */
  settle(source: string): void {
    const pending = (this.#pending.get(source) ?? 1) - 1;
    if (pending > 0) this.#pending.set(source, pending);
    else this.#pending.delete(source);
  }

  pendingOf(source: string): number {
    return this.#pending.get(source) ?? 0;
  }
}
