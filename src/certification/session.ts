import { EventEmitter } from 'node:events';
import type { CompiledSpec } from '../registry/spec/index.js';
import { isRejection, parseReport } from '../registry/telemetry/reports.js';
import type { DeviceLink, DeviceTopic } from './device-link.js';

/** One message of a case's evidence: what crossed the broker, when (ms since the run started). */
export interface EvidenceMessage {
  readonly at: number;
  readonly direction: 'to-device' | 'from-device' | 'hub';
  readonly topic: string;
  /** The payload as sent, cut to 1,024 characters. */
  readonly payload: string;
  /** For reports: the hub's verdict (`accepted`, or the rejection reason). */
  readonly verdict?: string;
}

export interface ObservedReport {
  readonly at: number;
  /** Values by `service.property`, when the hub's validation accepts the report. */
  readonly values: ReadonlyMap<string, unknown> | undefined;
  readonly rejection: string | undefined;
  readonly firmware: string | undefined;
  /** The raw props as sent, keyed by the reference used (for spotting invalid values). */
  readonly raw: unknown;
}

export interface ObservedReply {
  readonly at: number;
  readonly body: Record<string, unknown>;
}

/** A message on `dev/{did}/ota/progress` (docs/ota.md), as far as the harness reads it. */
export interface ObservedProgress {
  readonly at: number;
  readonly executionId: string;
  readonly state: string;
  readonly reason: string | undefined;
}

type SessionEvents = {
  progress: [ObservedProgress];
  report: [ObservedReport];
  reply: [string, ObservedReply];
  online: [number];
  offline: [number];
  subscribed: [readonly string[], number];
  attempt: [number, boolean];
};

/** Evidence kept per case, and the length of each payload in it: a report stays bounded. */
const MAX_EVIDENCE = 60;
const MAX_PAYLOAD = 1024;
/** Replies remembered per run, to catch duplicates (answered twice) and late ones. */
const MAX_REPLIES = 4096;

/**
 * A device under test as the harness sees it over the broker: every report checked with the hub's
 * own validation, replies by command id, connection changes, and the evidence of the case running.
 */
export class DeviceSession extends EventEmitter<SessionEvents> {
  readonly deviceId: string;
  readonly startedAt = Date.now();
  /** Last valid value of each property (reports and get answers). */
  readonly known = new Map<string, unknown>();
  readonly replies = new Map<string, ObservedReply[]>();
  /** Accepted and rejected reports of the run, the latest 1,000. */
  readonly reports: ObservedReport[] = [];
  /** Which case sent each command: a late duplicate reply fails that case. */
  readonly commandCase = new Map<string, string>();
  currentCase = '';
  firmware: string | undefined;
  online: boolean;
  #evidence: EvidenceMessage[] | undefined;
  #dropped = 0;
  readonly #stop: () => void;
  #commandCount = 0;
  readonly #prefix: string;

  constructor(link: DeviceLink, deviceId: string, spec: CompiledSpec, runId: string) {
    super();
    this.setMaxListeners(100);
    this.deviceId = deviceId;
    this.online = link.isOnline(deviceId);
    this.#prefix = `cert-${runId.slice(0, 8)}-`;
    this.#stop = link.watch(deviceId, {
      published: (topic, payload, at) => this.#published(topic, payload, at, spec),
      online: (at) => {
        this.online = true;
        this.#note('hub', `dev/${deviceId}/presence`, '{"online":true}', at);
        this.emit('online', at);
      },
      offline: (at) => {
        this.online = false;
        this.#note('hub', `dev/${deviceId}/presence`, '{"online":false}', at);
        this.emit('offline', at);
      },
      subscribed: (filters, at) => this.emit('subscribed', filters, at),
    });
  }

  close(): void {
    this.#stop();
    this.removeAllListeners();
  }

  nextCommandId(): string {
    this.#commandCount++;
    const id = `${this.#prefix}${this.#commandCount}`;
    if (this.commandCase.size < MAX_REPLIES) this.commandCase.set(id, this.currentCase);
    return id;
  }

  /** Starts collecting evidence for a case; returns what was collected when called again. */
  collect(): void {
    this.#evidence = [];
    this.#dropped = 0;
  }

  /** Starts a case's evidence with messages collected earlier (a phase shared by several cases). */
  collectFrom(messages: readonly EvidenceMessage[]): void {
    this.#evidence = messages.slice(0, MAX_EVIDENCE);
    this.#dropped = Math.max(0, messages.length - MAX_EVIDENCE);
  }

  take(): { messages: EvidenceMessage[]; omitted: number } {
    const out = { messages: this.#evidence ?? [], omitted: this.#dropped };
    this.#evidence = undefined;
    return out;
  }

  /** A prefix no other command or execution id has: this run's. */
  get prefix(): string {
    return this.#prefix;
  }

  sent(topic: string, body: unknown): void {
    this.#note('to-device', topic, JSON.stringify(body), Date.now());
  }

  note(topic: string, text: string): void {
    this.#note('hub', topic, text, Date.now());
  }

  attempt(at: number, held: boolean): void {
    this.#note(
      'hub',
      'connect',
      held ? 'CONNECT: CONNACK withheld, connection closed' : 'CONNECT: admitted',
      at,
    );
    this.emit('attempt', at, held);
  }

  /**
   * Resolves with the first event for which `pick` returns a value, or undefined after `ms`. The
   * one bounded wait every check is built from.
   */
  waitFor<K extends keyof SessionEvents, T>(
    event: K,
    ms: number,
    pick: (...args: SessionEvents[K]) => T | undefined,
  ): Promise<T | undefined> {
    return new Promise((resolve) => {
      const listener = (...args: SessionEvents[K]) => {
        const value = pick(...args);
        if (value !== undefined) done(value);
      };
      const timer = setTimeout(() => done(undefined), Math.max(0, ms));
      const done = (value: T | undefined) => {
        clearTimeout(timer);
        this.off(event, listener as never);
        resolve(value);
      };
      this.on(event, listener as never);
    });
  }

  #report(report: ObservedReport): void {
    this.reports.push(report);
    if (this.reports.length > 1000) this.reports.shift();
    this.emit('report', report);
  }

  #published(topic: DeviceTopic, payload: Buffer, at: number, spec: CompiledSpec): void {
    const text = payload.toString('utf8');
    if (topic === 'props') {
      const parsed = parseReport(payload, spec);
      let raw: unknown;
      try {
        raw = (JSON.parse(text) as { props?: unknown }).props;
      } catch {
        raw = undefined;
      }
      if (isRejection(parsed)) {
        this.#note('from-device', `dev/${this.deviceId}/props`, text, at, `rejected: ${parsed.reason}`);
        this.#report({
          at,
          values: undefined,
          rejection: `${parsed.reason}: ${parsed.message}`,
          firmware: undefined,
          raw,
        });
        return;
      }
      const values = new Map<string, unknown>();
      for (const v of parsed.values) {
        values.set(v.key, v.value);
        this.known.set(v.key, v.value);
      }
      if (parsed.firmware !== undefined) this.firmware = parsed.firmware;
      this.#note('from-device', `dev/${this.deviceId}/props`, text, at, 'accepted');
      this.#report({ at, values, rejection: undefined, firmware: parsed.firmware, raw });
      return;
    }
    this.#note('from-device', `dev/${this.deviceId}/${topic}`, text, at);
    if (topic !== 'replies' && topic !== 'ota/progress') return;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
    if (topic === 'ota/progress') {
      const { executionId, state, reason } = body as Record<string, unknown>;
      if (typeof executionId !== 'string' || typeof state !== 'string') return;
      this.emit('progress', {
        at,
        executionId,
        state,
        reason: typeof reason === 'string' ? reason : undefined,
      });
      return;
    }
    const id = (body as Record<string, unknown>)['id'];
    if (typeof id !== 'string' || !id.startsWith(this.#prefix)) return;
    const list = this.replies.get(id) ?? [];
    if (this.replies.size >= MAX_REPLIES && list.length === 0) return;
    const reply = { at, body: body as Record<string, unknown> };
    list.push(reply);
    this.replies.set(id, list);
    this.emit('reply', id, reply);
  }

  #note(direction: EvidenceMessage['direction'], topic: string, text: string, at: number, verdict?: string) {
    const evidence = this.#evidence;
    if (evidence === undefined) return;
    if (evidence.length >= MAX_EVIDENCE) {
      this.#dropped++;
      return;
    }
    evidence.push({
      at: at - this.startedAt,
      direction,
      topic,
      payload: text.length > MAX_PAYLOAD ? `${text.slice(0, MAX_PAYLOAD)}…` : text,
      ...(verdict !== undefined ? { verdict } : {}),
    });
  }
}
