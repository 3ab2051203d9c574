import type { UserApi } from '../api/client.js';
import { isRecord } from '../api/decode.js';
import type { DeviceState } from '../api/types.js';
import { readDeviceEvent } from '../api/types.js';
import { type CompiledSpec, readModel } from '../spec/model.js';
import { type CommandResult, CommandTracker } from './commands.js';
import { LiveConnection } from './connection.js';
import { DeviceLive, type Outcome } from './device-live.js';
import { FirmwareLive } from './firmware-live.js';
import { Observable } from './observable.js';

export interface RemoteOptions {
  readonly api: UserApi;
  readonly token: string;
  readonly userId: string;
  /** `ws://host/mqtt`. */
  readonly mqttUrl: string;
  /** The hub refused the live session: the app checks whether the sign-in still holds. */
  readonly onRefused: () => void;
}

/** The one line a person reads about a command's result. */
export function outcomeOf(result: CommandResult, okText = 'Done'): Outcome {
  switch (result.status) {
    case 'ok':
      return { status: 'ok', message: okText };
    case 'queued':
      return { status: 'queued', message: 'Will apply when the device is back online' };
    case 'error':
      return {
        status: 'error',
        code: result.code,
        message: result.deviceCode
          ? `the device answered ${result.deviceCode}: ${result.message}`
          : result.message,
      };
  }
}

/**
 * The remote control for one signed-in user: the devices it may see, their live state over MQTT,
 * and the commands it sends. Device state is never polled: REST gives the baseline on start and
 * after a reconnect, MQTT everything after.
 */
export class Remote extends Observable {
  readonly devices = new Map<string, DeviceLive>();
  readonly link: LiveConnection;
  readonly commands: CommandTracker;
  /** Live updates of the user's devices' firmware (`app/{uid}/firmware`). */
  readonly firmware = new FirmwareLive();
  /** The user's devices in the order the hub lists them; undefined until the first load. */
  states: DeviceState[] | undefined;
  loadError: string | undefined;
  readonly #o: RemoteOptions;
  readonly #models = new Map<string, Promise<CompiledSpec>>();
  /** A set that arrived while the previous one for the same property was in flight: sent after it. */
  readonly #next = new Map<string, { value: unknown; describe: string }>();
  #stamp = 0;
  #refreshing: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(options: RemoteOptions) {
    super();
    this.#o = options;
    this.link = new LiveConnection({
      url: options.mqttUrl,
      token: options.token,
      userId: options.userId,
      onMessage: (topic, body) => this.#message(topic, body),
      onOnline: (again) => {
        this.commands.resend();
        if (again) for (const live of this.devices.values()) live.resubscribed();
        if (again) this.firmware.reconnected();
        // Subscribed first, then the snapshot: a report published before the SUBACK (missed by MQTT)
        // is in the REST state, and every report after it arrives live. Versions order the two.
        void this.refresh();
      },
      onWatched: () => void this.refresh(),
      onRefused: options.onRefused,
    });
    this.commands = new CommandTracker({
      publish: (body) => this.link.publish(`${this.link.inbox}cmd`, body),
    });
  }

  start(): void {
    this.link.start();
    void this.refresh();
  }

  stop(): void {
    this.link.stop();
    this.commands.failAll('SIGNED_OUT', 'signed out');
    for (const live of this.devices.values()) live.dispose();
  }

  /**
   * Loads the device list and state (REST), and watches every device live. Calls while one load
   * runs share one more load after it (which sees everything that happened before they were made),
   * so a burst (connect, SUBACK, page visit) costs two requests, not one each.
   */
  refresh(): Promise<void> {
    if (this.#refreshing === undefined) return this.#startLoad();
    this.#queued ??= this.#refreshing.then(() => this.#startLoad());
    return this.#queued;
  }

  #startLoad(): Promise<void> {
    this.#queued = undefined;
    const run = this.#load().finally(() => {
      if (this.#refreshing === run) this.#refreshing = undefined;
    });
    this.#refreshing = run;
    return run;
  }

  async #load(): Promise<void> {
    try {
      const states = await this.#o.api.devices();
      const ids = new Set(states.map((s) => s.id));
      for (const [id, live] of this.devices) {
        if (ids.has(id)) continue;
        live.dispose();
        this.devices.delete(id);
        this.link.unwatch(id);
      }
      for (const state of states) this.live(state.id).applyState(state);
      this.link.watch(ids);
      this.states = states;
      this.loadError = undefined;
    } catch (err) {
      this.loadError = err instanceof Error ? err.message : String(err);
    }
    this.changed();
  }

  state(deviceId: string): DeviceState | undefined {
    return this.states?.find((s) => s.id === deviceId);
  }

  live(deviceId: string): DeviceLive {
    let live = this.devices.get(deviceId);
    if (live === undefined) {
      live = new DeviceLive(deviceId);
      this.devices.set(deviceId, live);
    }
    return live;
  }

  /** The compiled spec of a device's model version (cached: published versions never change). */
  model(state: DeviceState): Promise<CompiledSpec> {
    const key = `${state.modelId}@${state.modelVersion}`;
    let model = this.#models.get(key);
    if (model === undefined) {
      model = this.#o.api.deviceModel(state.id).then((m) => readModel(m.document));
      model.catch(() => this.#models.delete(key));
      this.#models.set(key, model);
    }
    return model;
  }

  /**
   * Sets one property. At most one set per property is in flight: a newer value waits for it and
   * is sent after it (only the newest), so a held key or a nervous finger cannot flood the device.
   */
  setProperty(deviceId: string, key: string, value: unknown, describe: string): void {
    const live = this.live(deviceId);
    const inflight = live.pending.get(key);
    if (inflight !== undefined && inflight.acceptedAt === undefined) {
      this.#next.set(`${deviceId} ${key}`, { value, describe });
      live.startSet(key, { commandId: inflight.commandId, value, stamp: inflight.stamp });
      return;
    }
    this.#sendSet(live, key, value, describe);
  }

  /** Runs an action; its one result is kept as the action's outcome and in the device's activity. */
  async runAction(
    deviceId: string,
    key: string,
    inputs: readonly unknown[],
    describe: string,
    okText: (data: unknown) => string,
  ): Promise<CommandResult> {
    const live = this.live(deviceId);
    const { id, result } = this.commands.send({ did: deviceId, op: 'action', action: key, in: inputs });
    live.setOutcome(key, { status: 'pending', message: 'Running…' });
    live.recordActivity({ id, label: describe, status: 'pending', detail: 'Running…', at: Date.now() });
    const r = await result;
    const outcome = outcomeOf(r, r.status === 'ok' ? okText(r.data) : undefined);
    live.setOutcome(key, outcome);
    live.recordActivity({
      id,
      label: describe,
      status: outcome.status,
      detail: detail(outcome),
      at: Date.now(),
    });
    return r;
  }

  /** Withdraws a set waiting for an offline device. */
  async cancelDesired(deviceId: string, key: string): Promise<void> {
    await this.#o.api.clearDesired(deviceId, key);
    this.live(deviceId).clearDesired(key);
  }

  /** Reads properties the device never reports (readable, not notify) so their controls show a value. */
  async read(deviceId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const stamp = ++this.#stamp;
    const { result } = this.commands.send({ did: deviceId, op: 'get', props: keys });
    const r = await result;
    if (r.status === 'ok' && isRecord(r.data) && isRecord(r.data['props'])) {
      this.live(deviceId).applyRead(r.data['props'], stamp);
    }
  }

  #sendSet(live: DeviceLive, key: string, value: unknown, describe: string): void {
    const stamp = ++this.#stamp;
    const { id, result } = this.commands.send({ did: live.id, op: 'set', props: { [key]: value } });
    live.startSet(key, { commandId: id, value, stamp });
    live.recordActivity({ id, label: describe, status: 'pending', detail: 'Sending…', at: Date.now() });
    void result.then((r) => {
      const outcome = outcomeOf(r);
      live.endSet(key, id, outcome, r.status === 'queued' ? r.desired[key] : undefined);
      live.recordActivity({
        id,
        label: describe,
        status: outcome.status,
        detail: detail(outcome),
        at: Date.now(),
      });
      const next = this.#next.get(`${live.id} ${key}`);
      if (next !== undefined) {
        this.#next.delete(`${live.id} ${key}`);
        this.#sendSet(live, key, next.value, next.describe);
      }
    });
  }

  #message(topic: string, body: unknown): void {
    if (topic === `${this.link.inbox}replies`) {
      this.commands.onReply(body);
      return;
    }
    if (topic === `${this.link.inbox}firmware`) {
      this.firmware.apply(body);
      return;
    }
    const match = /^dev\/([0-9a-f]{16})\/(presence|shadow|notify)$/.exec(topic);
    if (!match?.[1] || !isRecord(body)) return;
    const live = this.devices.get(match[1]);
    if (live === undefined) return;
    const at = typeof body['at'] === 'string' ? body['at'] : new Date().toISOString();
    switch (match[2]) {
      case 'presence':
        if (typeof body['online'] === 'boolean') live.applyPresence(body['online'], at);
        break;
      case 'shadow':
        if (typeof body['version'] === 'number' && isRecord(body['reported'])) {
          live.applyShadow(body['version'], at, body['reported']);
        }
        break;
      case 'notify':
        try {
          live.addEvents([readDeviceEvent({ ...body, ts: at })]);
        } catch {
          // Not an event this app can show; the hub validated it, so this is a newer format.
        }
        break;
    }
  }
}

function detail(outcome: Outcome): string {
  return outcome.code ? `${outcome.code}: ${outcome.message}` : outcome.message;
}
