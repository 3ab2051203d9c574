import { hash } from 'node:crypto';
import type { PhoneReply } from './command-schema.js';

/** How many command ids are remembered, and for how long (docs/protocol.md, "Commands"). */
export interface CommandMemoryLimits {
  /** Per user: past it the user's oldest id is forgotten. */
  readonly perUser: number;
  /** For all users together: past it the oldest id of anyone is forgotten. */
  readonly total: number;
}

export interface Remembered {
  readonly userId: string;
  /** Hash of what the command asks (op and arguments): a repeat must ask the same. */
  readonly fingerprint: string;
  readonly reply: Promise<PhoneReply>;
  done: boolean;
  /** When it was answered (or started, while running). */
  at: number;
}

/**
 * JSON with object keys sorted (by UTF-16 code units), so that the same command written in another
 * key order is the same; `skip` leaves out top-level keys. Built in one string, without the arrays
 * of entries a map/sort/join version allocates (it was ~1% of an idle round trip's CPU).
 */
function canonical(value: unknown, skip?: ReadonlySet<string>): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonical(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined || skip?.has(key)) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonical(v)}`;
  }
  return `${out}}`;
}

/** A command's id and device are in the memory's key, not in what it asks. */
const KEYED = new Set(['id', 'did']);

/** Fingerprint of a command without its id and device (those are in the key). */
export function commandFingerprint(command: Record<string, unknown>): string {
  return hash('sha256', canonical(command, KEYED), 'base64url').slice(0, 22);
}

/**
 * The commands a hub remembers so that a retried id is answered, not executed again, keyed by
 * (user, device, id). Bounded per user and in total: insertion order is age, so eviction takes the
 * first key. Node-local state (a command is answered by the node the device is connected to).
 */
export class CommandMemory {
  readonly #limits: CommandMemoryLimits;
  readonly #all = new Map<string, Remembered>();
  readonly #byUser = new Map<string, Set<string>>();

  constructor(limits: CommandMemoryLimits) {
    this.#limits = limits;
  }

  static key(userId: string, deviceId: string, id: string): string {
    return `${userId}\u0000${deviceId}\u0000${id}`;
  }

  get(key: string): Remembered | undefined {
    return this.#all.get(key);
  }

  remember(key: string, entry: Remembered): void {
    this.#forget(key);
    this.#all.set(key, entry);
    let keys = this.#byUser.get(entry.userId);
    if (!keys) {
      keys = new Set();
      this.#byUser.set(entry.userId, keys);
    }
    keys.add(key);
    if (keys.size > this.#limits.perUser) this.#forget(keys.values().next().value as string);
    if (this.#all.size > this.#limits.total) this.#forget(this.#all.keys().next().value as string);
  }

  /** Drops answered entries older than `cutoff`. */
  sweep(cutoff: number): void {
    for (const [key, entry] of this.#all) if (entry.done && entry.at < cutoff) this.#forget(key);
  }

  forgetUser(userId: string): void {
    for (const key of this.#byUser.get(userId) ?? []) this.#all.delete(key);
    this.#byUser.delete(userId);
  }

  /** Entries in all, and users holding any (for bounds checks). */
  get size(): { readonly ids: number; readonly users: number; readonly largestUser: number } {
    let largestUser = 0;
    for (const keys of this.#byUser.values()) largestUser = Math.max(largestUser, keys.size);
    return { ids: this.#all.size, users: this.#byUser.size, largestUser };
  }

  #forget(key: string): void {
    const entry = this.#all.get(key);
    if (!entry) return;
    this.#all.delete(key);
    const keys = this.#byUser.get(entry.userId);
    keys?.delete(key);
    if (keys?.size === 0) this.#byUser.delete(entry.userId);
  }
}
