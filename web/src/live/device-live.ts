import type { DeviceEvent, DeviceState } from '../api/types.js';
import { Observable } from './observable.js';

/** Events kept per device for the timeline; older ones are dropped. */
export const MAX_EVENTS = 100;
/** Commands kept per device in its activity list. */
export const MAX_ACTIVITY = 20;
/** After a device accepted a set, its report of the new value is awaited this long before showing the reported one again. */
export const REFLECT_WINDOW_MS = 5000;

export interface Reported {
  readonly value: unknown;
  /** The shadow version that carried it (REST state: the state's version). */
  readonly version: number;
  readonly at: string;
}

export interface Pending {
  readonly commandId: string;
  readonly value: unknown;
  /** The device's shadow version when the set was sent: a report above it reflects the set. */
  readonly sentVersion: number;
  /** Local order of the send, to compare with `get` replies. */
  readonly stamp: number;
  /** Set once the device accepted it: the value is shown until reflected or the window ends. */
  readonly acceptedAt?: number;
}

export type CommandStatus = 'pending' | 'ok' | 'queued' | 'error';

export interface Outcome {
  readonly status: CommandStatus;
  readonly code?: string;
  readonly message: string;
}

export interface ActivityEntry {
  readonly id: string;
  readonly label: string;
  readonly status: CommandStatus;
  readonly detail: string;
  readonly at: number;
}

/**
 * What the app knows about one device, merged from REST state and live MQTT messages. Ordering
 * rules (docs/web.md, "Live state"):
 * - a reported value is replaced only by one from a higher shadow version, so a late message or a
 *   REST answer that was in flight never takes a newer value back;
 * - command replies never write reported values: the device's report does;
 * - values of readable properties that are never reported (no `notify`) come from `get` replies
 *   and accepted sets, ordered by when each command was sent.
 */
export class DeviceLive extends Observable {
  readonly id: string;
  online: boolean | undefined;
  lastSeenAt: string | null = null;
  /** Highest shadow version seen. */
  version = -1;
  readonly reported = new Map<string, Reported>();
  readonly known = new Map<string, { value: unknown; stamp: number }>();
  readonly desired = new Map<string, { value: unknown; setAt: string }>();
  readonly pending = new Map<string, Pending>();
  /** The last outcome per control (property or action key) that the user should still see. */
  readonly outcomes = new Map<string, Outcome>();
  events: DeviceEvent[] = [];
  activity: ActivityEntry[] = [];
  #livePresence = false;
  #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(id: string) {
    super();
    this.id = id;
  }

  /** REST state (`GET /v1/me/devices`): the baseline live messages refine. */
  applyState(state: DeviceState): void {
    if (!this.#livePresence) {
      this.online = state.presence.online;
      this.lastSeenAt = state.presence.lastSeenAt;
    }
    for (const [key, r] of Object.entries(state.reported))
      this.#report(key, r.value, state.version, r.reportedAt);
    this.version = Math.max(this.version, state.version);
    // The hub's desired state is the truth: it clears a value once a report carried it.
    this.desired.clear();
    for (const [key, d] of Object.entries(state.desired)) this.desired.set(key, d);
    this.changed();
  }

  /** `dev/{did}/shadow`: the values of one accepted report. */
  applyShadow(version: number, at: string, reported: Readonly<Record<string, unknown>>): void {
    for (const [key, value] of Object.entries(reported)) {
      this.#report(key, value, version, at);
      // The hub drops a desired value once a report carries it (docs/protocol.md, "Desired state").
      if (this.desired.has(key) && Object.is(this.desired.get(key)?.value, value)) this.desired.delete(key);
    }
    this.version = Math.max(this.version, version);
    this.changed();
  }

  /** `dev/{did}/presence` (retained): live presence wins over any REST answer from then on. */
  applyPresence(online: boolean, at: string): void {
    this.#livePresence = true;
    this.online = online;
    if (!online) this.lastSeenAt = at;
    this.changed();
  }

  /** After a reconnect the retained presence arrives again; until then REST may set it. */
  resubscribed(): void {
    this.#livePresence = false;
  }

  /** Adds events (REST history or live `notify`), newest first, once each by seq, bounded. */
  addEvents(events: readonly DeviceEvent[]): void {
    const seen = new Set(this.events.map((e) => e.seq));
    const fresh = events.filter((e) => !seen.has(e.seq));
    if (fresh.length === 0) return;
    this.events = [...this.events, ...fresh]
      .sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : b.seq - a.seq))
      .slice(0, MAX_EVENTS);
    this.changed();
  }

  /** A `get` reply sent at `stamp`: fills values no report carries, unless a later set changed them. */
  applyRead(values: Readonly<Record<string, unknown>>, stamp: number): void {
    for (const [key, value] of Object.entries(values)) {
      if (this.pending.has(key)) continue;
      const known = this.known.get(key);
      if (known === undefined || known.stamp < stamp) this.known.set(key, { value, stamp });
    }
    this.changed();
  }

  startSet(key: string, pending: Omit<Pending, 'sentVersion'>): void {
    this.pending.set(key, { ...pending, sentVersion: this.version });
    this.outcomes.set(key, { status: 'pending', message: 'Sending…' });
    this.changed();
  }

  /** The set `commandId` of `key` ended: `ok` keeps its value on show until the report reflects it. */
  endSet(key: string, commandId: string, outcome: Outcome, queuedValue?: unknown): void {
    const pending = this.pending.get(key);
    if (pending?.commandId === commandId) {
      if (outcome.status === 'ok') {
        this.known.set(key, { value: pending.value, stamp: pending.stamp });
        this.pending.set(key, { ...pending, acceptedAt: Date.now() });
        this.#later(REFLECT_WINDOW_MS, () => {
          if (this.pending.get(key)?.commandId === commandId) this.pending.delete(key);
        });
      } else {
        this.pending.delete(key);
      }
    }
    if (outcome.status === 'queued') {
      this.desired.set(key, { value: queuedValue ?? pending?.value, setAt: new Date().toISOString() });
    }
    this.outcomes.set(key, outcome);
    if (outcome.status === 'ok') this.#later(3000, () => this.#clearOutcome(key, outcome));
    this.changed();
  }

  /** A desired value withdrawn by the user: nothing waits for the device any more. */
  clearDesired(key: string): void {
    this.desired.delete(key);
    if (this.outcomes.get(key)?.status === 'queued') this.outcomes.delete(key);
    this.changed();
  }

  setOutcome(key: string, outcome: Outcome): void {
    this.outcomes.set(key, outcome);
    if (outcome.status === 'ok') this.#later(3000, () => this.#clearOutcome(key, outcome));
    this.changed();
  }

  /** One row per command, updated in place from pending to its one result. */
  recordActivity(entry: ActivityEntry): void {
    const rest = this.activity.filter((a) => a.id !== entry.id);
    const existing = this.activity.find((a) => a.id === entry.id);
    this.activity = [{ ...entry, at: existing?.at ?? entry.at }, ...rest]
      .sort((a, b) => b.at - a.at)
      .slice(0, MAX_ACTIVITY);
    this.changed();
  }

  /**
   * What a control shows for `key`: the value being set, else the value waiting for the device
   * while it is offline, else the latest reported or read value.
   */
  shown(key: string): { value: unknown; source: 'pending' | 'desired' | 'reported' | 'known' | 'none' } {
    const pending = this.pending.get(key);
    if (pending !== undefined) return { value: pending.value, source: 'pending' };
    const desired = this.desired.get(key);
    if (desired !== undefined && this.online === false) return { value: desired.value, source: 'desired' };
    const reported = this.reported.get(key);
    if (reported !== undefined) return { value: reported.value, source: 'reported' };
    const known = this.known.get(key);
    if (known !== undefined) return { value: known.value, source: 'known' };
    return { value: undefined, source: 'none' };
  }

  dispose(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #report(key: string, value: unknown, version: number, at: string): void {
    const current = this.reported.get(key);
    if (current !== undefined && current.version >= version) return;
    this.reported.set(key, { value, version, at });
    const pending = this.pending.get(key);
    // The device reflected a set it accepted: its report is the truth from now on.
    if (pending?.acceptedAt !== undefined && version > pending.sentVersion) this.pending.delete(key);
  }

  #clearOutcome(key: string, outcome: Outcome): void {
    if (this.outcomes.get(key) === outcome) {
      this.outcomes.delete(key);
      this.changed();
    }
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
      this.changed();
    }, ms);
    this.#timers.add(timer);
  }
}
