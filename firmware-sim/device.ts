import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CompiledSpec } from '../src/registry/spec/index.js';
import { ActivitySchedule } from './activity.js';
import { type CommandReply, executeCommand } from './commands.js';
import { type DeviceConnection, defaultConnector } from './connection.js';
import { Delays } from './delays.js';
import {
  type DeviceStatus,
  type DeviceTopics,
  deviceTopics,
  type ReportKind,
  type SimulatedDeviceEvents,
  type SimulatedDeviceInit,
} from './device-types.js';
import { ConnackError } from './lean-client.js';
import { ReconnectingLink } from './link.js';
import {
  type DeviceCounters,
  emptyCounters,
  type ResolvedDeviceOptions,
  resolveDeviceOptions,
} from './options.js';
import { PayloadEncoder } from './payloads.js';
import { createPrng, deriveSeed, type Prng } from './prng.js';
import { prepareSpec } from './spec.js';
import { DeviceState } from './state.js';
import { Ticker } from './ticker.js';

const FIRMWARE_REVISION = 'device-information.firmware-revision';

/**
 * One simulated device that behaves like good firmware (docs/protocol.md), or like bad firmware on
 * request (`options.faults`). Everything it does comes from the model spec.
 */
export class SimulatedDevice extends EventEmitter<SimulatedDeviceEvents> {
  readonly id: string;
  readonly hubUrl: string;
  readonly spec: CompiledSpec;
  readonly counters: DeviceCounters = emptyCounters();
  readonly #o: ResolvedDeviceOptions;
  readonly #state: DeviceState;
  readonly #encoder: PayloadEncoder;
  readonly #rng: Prng;
  readonly #ticker: Ticker;
  readonly #link: ReconnectingLink;
  readonly #log: Logger | undefined;
  readonly #topics: DeviceTopics;
  readonly #delays = new Delays();
  readonly #activity: ActivitySchedule;
  #seq = Date.now();
  #removeTick: (() => void) | undefined;
  #firstOnline: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(init: SimulatedDeviceInit) {
    super();
    const options = init.options ?? {};
    this.#o = resolveDeviceOptions(options);
    this.id = init.credentials.id;
    this.hubUrl = init.hubUrl;
    this.spec = prepareSpec(init.spec);
    this.#state = new DeviceState(this.spec, {
      manufacturer: this.#o.manufacturer,
      serialNumber: this.id,
      firmwareRevision: this.#o.firmwareRevision,
    });
    this.#encoder = new PayloadEncoder(this.#state, this.#o.faults);
    this.#rng = createPrng(options.seed ?? deriveSeed(0x5eed, this.id));
    this.#ticker = options.ticker ?? new Ticker(options.tickMs ?? 100);
    this.#activity = new ActivitySchedule({
      telemetryMs: this.#o.telemetryIntervalMs,
      eventMs: this.spec.events.length > 0 ? this.#o.eventIntervalMs : 0,
      flapMs: this.#o.faults.flapping ?? 0,
      rng: this.#rng,
    });
    this.#log = options.log?.child({ module: 'firmware-sim', deviceId: this.id });
    this.#topics = deviceTopics(this.id);
    this.#link = new ReconnectingLink(
      {
        connector: options.connector ?? defaultConnector(init.hubUrl, options.client),
        params: {
          url: init.hubUrl,
          clientId: this.id,
          username: this.id,
          password: init.credentials.secret,
          keepaliveSeconds: this.#o.keepaliveSeconds,
          connectTimeoutMs: this.#o.connectTimeoutMs,
          localAddress: options.localAddress,
        },
        backoffBaseMs: this.#o.backoffBaseMs,
        backoffMaxMs: this.#o.backoffMaxMs,
        backoff:
          this.#o.faults.noBackoff === true
            ? 'fixed'
            : this.#o.faults.noJitter === true
              ? 'exact'
              : 'jittered',
        rng: this.#rng,
      },
      {
        onMessage: (topic, payload) => this.#message(topic, payload),
        onOnline: (connection) => void this.#online(connection),
        onOffline: (error) => this.#offline(error),
        onAttemptFailed: (error) => this.#attemptFailed(error),
      },
    );
  }

  get status(): DeviceStatus {
    return this.#link.status;
  }

  get connected(): boolean {
    return this.#link.status === 'online';
  }

  /** Current property values by `service.property`. */
  get values(): ReadonlyMap<string, unknown> {
    return this.#state.values;
  }

  /** The rejection reason the hub counts for this device's spoiled reports, if a fault spoils them. */
  get expectedRejection(): string | undefined {
    return this.#encoder.rejectionReason;
  }

  /**
   * Connects and resolves once the device is online, subscribed and its full report acknowledged.
   * Network failures are retried with backoff; a refused CONNACK before the first success rejects
   * and stops the device (its credentials are wrong: retrying cannot help).
   */
  start(): Promise<void> {
    if (this.status !== 'idle') return Promise.reject(new Error(`device ${this.id} was already started`));
    const online = new Promise<void>((resolve, reject) => {
      this.#firstOnline = { resolve, reject };
    });
    this.#removeTick = this.#ticker.add((now) => this.tick(now));
    this.#link.connect();
    return online;
  }

  /** Disconnects cleanly (DISCONNECT) and clears every timer; the device cannot be started again. */
  async stop(): Promise<void> {
    if (this.status === 'stopped') return;
    this.#removeTick?.();
    this.#delays.close();
    this.#firstOnline?.reject(new Error(`device ${this.id} stopped before it connected`));
    this.#firstOnline = undefined;
    await this.#link.stop();
  }

  /** The firmware revision the device announces in `device-information` (after an update: the new one). */
  get firmwareRevision(): string {
    const value = this.#state.values.get(FIRMWARE_REVISION);
    return typeof value === 'string' ? value : this.#o.firmwareRevision;
  }

  /** Boots into another firmware revision: announced in the full report after the next connect. */
  setFirmwareRevision(revision: string): void {
    this.#state.values.set(FIRMWARE_REVISION, revision);
  }

  /** Publishes an OTA progress message (QoS 1); resolves on the hub's PUBACK (recorded). */
  publishOtaProgress(progress: object): Promise<void> {
    return this.#publish(this.#topics.otaProgress, JSON.stringify(progress));
  }

  /** Drops the link without DISCONNECT (a power cut); the device reconnects with backoff. */
  dropConnection(): void {
    this.#link.drop();
  }

  /** Called by the ticker: reconnects when due, keepalive, telemetry, events, flapping. */
  tick(now: number): void {
    this.#link.tick(now);
    if (this.status !== 'online') return;
    if (this.#activity.flapDue(now)) {
      this.counters.flaps++;
      this.#link.drop();
      return;
    }
    if (this.#activity.telemetryDue(now)) {
      const props = this.#state.drift(this.#rng);
      if (props !== undefined) this.#report(props, 'telemetry').catch(() => {});
    }
    if (this.#activity.eventDue(now)) {
      const pick = this.spec.events[this.#rng.int(0, this.spec.events.length - 1)];
      if (pick !== undefined) this.sendEvent(pick.key).catch(() => {});
    }
  }

  /** Sends every notify property and the device-information facts; resolves on the hub's PUBACK. */
  reportAll(): Promise<void> {
    return Promise.all(this.#state.fullReports().map((props) => this.#report(props, 'full'))).then(() => {});
  }

  /** Emits an event of the spec (the first one without `ref`) with valid arguments from the current values. */
  async sendEvent(ref?: string): Promise<void> {
    const event = ref === undefined ? this.spec.events[0] : this.spec.event(ref);
    if (event === undefined) throw new Error(`model ${this.spec.spec.model} has no event ${ref ?? ''}`);
    const seq = this.#nextSeq();
    const payload = this.#encoder.event(seq, event, this.#state.eventArguments(event));
    this.counters.eventsSent++;
    try {
      await this.#publish(this.#topics.events, payload);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
    this.emit('event', { seq, event: event.key });
  }

  /**
   * Handles one command as received on `dev/{id}/cmd` and resolves with the replies it published
   * (none, one or two, depending on the faults) once they are sent.
   */
  async handleCommand(payload: Buffer | string): Promise<CommandReply[]> {
    this.counters.commandsReceived++;
    const outcome = executeCommand(this.#state, this.#rng, payload, this.#o.faults);
    if (outcome.reply === undefined) {
      this.#fail(new Error(`unanswerable command: ${outcome.problem ?? 'unknown problem'}`));
      this.emit('commandHandled', { op: undefined, reply: undefined, sent: 0 });
      return [];
    }
    const reflect = outcome.changed.filter((prop) => prop.notifiable);
    // Reflected before the reply, so whoever gets "ok" finds the shadow already updated.
    if (reflect.length > 0) await this.#report(this.#state.snapshot(reflect), 'change').catch(() => {});
    const faults = this.#o.faults;
    const replies: CommandReply[] = [];
    if (faults.noReplies !== true) {
      if ((faults.slowReplies ?? 0) > 0 && !(await this.#delays.sleep(faults.slowReplies ?? 0))) return [];
      const text = JSON.stringify(outcome.reply);
      for (let copy = 0; copy < (faults.duplicateReplies === true ? 2 : 1); copy++) {
        replies.push(outcome.reply);
        await this.#publish(this.#topics.replies, text).catch((error: unknown) => this.#fail(error));
      }
      this.counters.commandsAnswered++;
    }
    this.emit('commandHandled', { op: outcome.op, reply: outcome.reply, sent: replies.length });
    return replies;
  }

  #attemptFailed(error: Error): boolean {
    this.#fail(error);
    this.emit('connectFailed', error);
    if (!(error instanceof ConnackError) || this.#firstOnline === undefined) return false;
    // Refused before ever connecting: the credentials are wrong, retrying cannot help.
    this.#firstOnline.reject(error);
    this.#firstOnline = undefined;
    this.#removeTick?.();
    return true;
  }

  async #online(connection: DeviceConnection): Promise<void> {
    this.counters.connects++;
    const reconnect = this.counters.connects > 1;
    if (reconnect) this.counters.reconnects++;
    this.#activity.arm(Date.now());
    this.#log?.debug({ reconnect }, 'connected');
    try {
      const granted = await connection.subscribe([this.#topics.cmd, this.#topics.ota]);
      if (granted.some((code) => code === 128)) throw new Error(`subscription refused: ${granted.join(',')}`);
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.emit('connected', { reconnect });
    // A failed report is counted where it fails; the link retries the connection.
    await this.reportAll().then(
      () => {
        this.#firstOnline?.resolve();
        this.#firstOnline = undefined;
      },
      () => {},
    );
  }

  #offline(error: Error | undefined): void {
    this.#activity.disarm();
    this.#log?.debug({ err: error?.message }, 'disconnected');
    this.emit('disconnected', { error });
  }

  #message(topic: string, payload: Buffer): void {
    if (topic === this.#topics.cmd) {
      this.handleCommand(payload).catch((error: unknown) => this.#fail(error));
    } else if (topic === this.#topics.ota) {
      this.emit('ota', payload);
    }
  }

  #report(props: Record<string, unknown>, kind: ReportKind): Promise<void> {
    if (this.#o.faults.dropReports === true && kind !== 'full') {
      this.counters.reportsDropped++;
      return Promise.resolve();
    }
    const seq = this.#nextSeq();
    this.counters.reportsSent++;
    return this.#publish(this.#topics.props, this.#encoder.report(seq, props)).then(
      () => {
        this.counters.reportsAcked++;
        this.emit('reported', { seq, kind, props });
      },
      (error: unknown) => {
        this.#fail(error);
        throw error;
      },
    );
  }

  #publish(topic: string, payload: string): Promise<void> {
    const connection = this.#link.connection;
    if (connection === undefined) return Promise.reject(new Error(`device ${this.id} is offline`));
    return connection.publish(topic, payload, 1);
  }

  /** One counter for reports and events, from the clock at boot (docs/protocol.md, `seq`). */
  #nextSeq(): number {
    return ++this.#seq;
  }

  #fail(error: unknown): void {
    // Publishes cut short by our own stop() are not the device's errors.
    if (this.status === 'stopped') return;
    const err = error instanceof Error ? error : new Error(String(error));
    this.counters.errors++;
    this.#log?.debug({ err: err.message }, 'simulator error');
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
