import { randomFillSync } from 'node:crypto';
import type { Logger } from 'pino';
import { errorTable, HubError, isHubError } from '../../errors.js';
import { type Limits, localLimits, type RateLimit } from '../../limits.js';
import { clip, LogThrottle } from '../../log-throttle.js';
import { TokenBuckets } from '../../rate-limit.js';
import type { RegistryBus } from '../events.js';
import type { CompiledSpec } from '../spec/index.js';
import type { AccessIndex } from './access-index.js';
import { CommandMemory, commandFingerprint } from './command-memory.js';
import {
  type DeviceCommand,
  DeviceReplyCheck,
  type PhoneCommand,
  PhoneCommandCheck,
  type PhoneReply,
} from './command-schema.js';
import { type ValidatedCommand, validateCommand } from './command-validation.js';
import type { DesiredState } from './desired.js';
import { replyDataForPhone, toDeviceCommand } from './device-wire.js';
import type { UserDesired } from './user-desired.js';

/** How the command path reaches MQTT; the composition root implements it on the broker. */
export interface CommandTransport {
  toDevice(deviceId: string, command: DeviceCommand): void;
  toUser(userId: string, reply: PhoneReply): void;
}

export interface CommandServiceOptions {
  readonly log: Logger;
  readonly bus: RegistryBus;
  readonly access: AccessIndex;
  readonly desired: DesiredState;
  /** Reading and clearing desired state for users (the `desired` and `clear-desired` ops). */
  readonly userDesired: UserDesired;
  readonly specOf: (deviceId: string) => Promise<CompiledSpec | undefined>;
  readonly isOnline: (deviceId: string) => boolean;
  readonly transport: CommandTransport;
  /**
   * The desired-state delta being sent to a device that just reconnected, if any: a user's command
   * waits for it, so the device gets what was set while it was away before anything newer.
   */
  readonly deltaInFlight?: (deviceId: string) => Promise<void> | undefined;
  /** No device reply within this gives DEVICE_TIMEOUT. */
  readonly timeoutMs: number;
  /** How long a phone's command id is remembered: a repeat within it is answered, not re-executed. */
  readonly dedupMs?: number;
  readonly limits?: Partial<CommandLimits>;
  readonly now?: () => number;
  /** Where the per-user command rate is counted (Redis in a cluster: one budget across nodes). */
  readonly sharedLimits?: Limits;
  /** Told how each command sent to a device ended, as the device answered it (quality scorecards). */
  readonly outcomes?: CommandOutcomes;
}

/**
 * How a command the hub sent ended for the device's quality record: its reply (ok, or its error
 * code) and how long it took, or no reply (none within the timeout, or the device disconnected
 * first). Commands a user stopped being allowed to see are not counted: their end says nothing
 * about the device.
 */
export type CommandOutcome =
  | { ok: true; latencyMs: number }
  | { ok: false; code: string; latencyMs: number }
  | { timeout: true };

export interface CommandOutcomes {
  command(deviceId: string, outcome: CommandOutcome): void;
}

/** Every per-client structure of the command path has a bound (docs/operations.md, "Limits"). */
export interface CommandLimits {
  /** Command ids remembered per user (the oldest is forgotten first) ... */
  readonly idsPerUser: number;
  /** ... and for all users together. */
  readonly idsTotal: number;
  /** Commands a user may send per second on average (MQTT and REST together) ... */
  readonly ratePerSec: number;
  /** ... and at once. */
  readonly burst: number;
  /** Commands waiting for one device's reply; past it DEVICE_BUSY. */
  readonly pendingPerDevice: number;
}

export const DEFAULT_COMMAND_LIMITS: CommandLimits = {
  idsPerUser: 256,
  // About 600 bytes each: 50,000 ids hold at most ~30 MB whatever the number of users.
  idsTotal: 50_000,
  ratePerSec: 20,
  burst: 40,
  pendingPerDevice: 16,
};

interface Pending {
  readonly deviceId: string;
  /** Who is waiting for the reply; undefined for the hub's own desired-state delivery. */
  readonly userId: string | undefined;
  readonly timer: NodeJS.Timeout;
  readonly settle: (reply: PhoneReply) => void;
  /** The device's ok data as the phone sees it (iid-form answers become names). */
  readonly forPhone: (data: unknown) => unknown;
  /** performance.now() when it was published to the device (reply latency). */
  readonly sentAt: number;
}

function errorReply(id: string | null, did: string | null, err: HubError, deviceCode?: string): PhoneReply {
  const retryAfter = err.headers['retry-after'];
  return {
    id,
    did,
    status: 'error',
    error: {
      code: err.code,
      mqttCode: errorTable[err.code].mqtt,
      message: err.message,
      ...(deviceCode ? { deviceCode } : {}),
      ...(err.errors.length > 0 ? { errors: err.errors } : {}),
      ...(retryAfter !== undefined ? { retryAfter: Number(retryAfter) } : {}),
    },
  };
}

function tooFast(waitMs: number, limits: CommandLimits): HubError {
  const seconds = Math.ceil(waitMs / 1000);
  return new HubError(
    'RATE_LIMITED',
    `more than ${limits.burst} commands at once or ${limits.ratePerSec} per second; retry in ${seconds} s`,
    { headers: { 'retry-after': String(seconds) } },
  );
}

/**
 * The hub's ids of commands sent to devices: 8 random bytes as 16 hex characters, taken from a pool
 * filled 512 ids at a time (one call into the CSPRNG per command was ~3% of a round trip's CPU).
 */
class RandomIds {
  readonly #pool = Buffer.alloc(8 * 512);
  #at = this.#pool.length;

  next(): string {
    if (this.#at >= this.#pool.length) {
      randomFillSync(this.#pool);
      this.#at = 0;
    }
    const id = this.#pool.toString('hex', this.#at, this.#at + 8);
    this.#at += 8;
    return id;
  }
}

function field(body: unknown, name: string): string | null {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value.slice(0, 64) : null;
}

/**
 * The remote control: validates a phone's command against binding and spec, sends it to the
 * device, and answers the phone exactly once per command id — with the device's reply, a timeout,
 * or an error when the device disconnects first. Pending commands and the dedup window are
 * node-local state (a command is answered by the node the device is connected to).
 */
export class CommandService {
  readonly #o: CommandServiceOptions;
  readonly #pending = new Map<string, Pending>();
  /** Pending commands per device, for the per-device cap. */
  readonly #pendingPerDevice = new Map<string, number>();
  /** (user, device, phone command id) -> the reply (a promise while the command runs). */
  readonly #memory: CommandMemory;
  readonly #rate: RateLimit;
  readonly #limits: CommandLimits;
  readonly #now: () => number;
  readonly #ids = new RandomIds();
  /** Lines a device can cause with bad replies, bounded per device. */
  readonly #deviceLog: LogThrottle;
  readonly #sweep: NodeJS.Timeout;

  constructor(options: CommandServiceOptions) {
    this.#o = options;
    this.#limits = { ...DEFAULT_COMMAND_LIMITS, ...options.limits };
    this.#now = options.now ?? Date.now;
    this.#deviceLog = new LogThrottle(options.log, { now: this.#now });
    this.#memory = new CommandMemory({ perUser: this.#limits.idsPerUser, total: this.#limits.idsTotal });
    this.#rate = (options.sharedLimits ?? localLimits(this.#now)).rate('commands', {
      ratePerSec: this.#limits.ratePerSec,
      burst: this.#limits.burst,
    });
    const dedupMs = options.dedupMs ?? 10 * 60_000;
    this.#sweep = setInterval(() => this.#memory.sweep(this.#now() - dedupMs), Math.min(dedupMs, 60_000));
    this.#sweep.unref();
    options.bus.on('presence', ({ deviceId, online }) => {
      if (!online) this.#failPending(deviceId);
    });
    // access.role waits for a reload in progress: the roles read here are the new ones.
    options.bus.on('access', ({ userIds }) => {
      this.#dropRevoked(userIds).catch((err: unknown) =>
        this.#o.log.error({ err }, 'answering commands of users who lost devices failed'),
      );
    });
  }

  /**
   * A command from the phone's MQTT session: answered on app/{uid}/replies. A repeat of a command
   * still running is ignored (its one reply answers it); a repeat of a finished one gets the same
   * reply; the same id for the same device with another body is refused (COMMAND_ID_REUSED).
   */
  fromPhone(userId: string, payload: Buffer): void {
    // Every message counts, valid or not: the limit bounds the work one user can cause.
    const wait = this.#rate.take(userId);
    if (wait instanceof Promise) {
      // Shared in Redis: one round trip on one connection, so one phone's commands keep their order.
      wait.then(
        (w) => this.#fromPhone(userId, payload, w),
        (err: unknown) => this.#o.log.error({ err, userId }, 'checking the command rate failed'),
      );
      return;
    }
    this.#fromPhone(userId, payload, wait);
  }

  #fromPhone(userId: string, payload: Buffer, wait: number): void {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      const err =
        wait > 0
          ? tooFast(wait, this.#limits)
          : new HubError('INVALID_JSON', 'the command is not valid JSON');
      this.#o.transport.toUser(userId, errorReply(null, null, err));
      return;
    }
    const id = field(body, 'id');
    const did = field(body, 'did');
    if (wait > 0) {
      this.#o.transport.toUser(userId, errorReply(id, did, tooFast(wait, this.#limits)));
      return;
    }
    if (!PhoneCommandCheck.Check(body)) {
      // First(): the iterator is lazy, so a payload of thousands of bad keys costs one error, not thousands.
      const first = PhoneCommandCheck.Errors(body).First();
      const err = new HubError(
        'VALIDATION_FAILED',
        `${first?.path || '/'}: ${first?.message ?? 'invalid command'}`,
        {
          errors: [{ path: first?.path || '/', message: first?.message ?? 'invalid' }],
        },
      );
      this.#o.transport.toUser(userId, errorReply(id, did, err));
      return;
    }
    const seen = this.#memory.get(CommandMemory.key(userId, body.did, body.id));
    if (seen?.done === false && seen.fingerprint === commandFingerprint(body)) return;
    this.#remembered(userId, body).then((r) => this.#o.transport.toUser(userId, r));
  }

  /**
   * The REST mirror's entry point: runs one command and resolves with its one reply. With
   * `remember` (the caller chose the id), a repeat is answered like on MQTT.
   */
  execute(userId: string, command: PhoneCommand, options: { remember: boolean }): Promise<PhoneReply> {
    return Promise.resolve(this.#rate.take(userId)).then((wait) => {
      if (wait > 0) return errorReply(command.id, command.did, tooFast(wait, this.#limits));
      return options.remember ? this.#remembered(userId, command) : this.#run(userId, command);
    });
  }

  /** Forgets the user's command ids (the account was deleted). */
  forgetUser(userId: string): void {
    this.#memory.forgetUser(userId);
  }

  /** Sizes of every bounded structure, for tests and metrics. */
  stats() {
    let busiestDevice = 0;
    for (const n of this.#pendingPerDevice.values()) busiestDevice = Math.max(busiestDevice, n);
    const memory = this.#memory.size;
    return {
      rememberedIds: memory.ids,
      usersWithIds: memory.users,
      largestUserIds: memory.largestUser,
      rateLimitedUsers: this.#rate instanceof TokenBuckets ? this.#rate.size : 0,
      pending: this.#pending.size,
      busiestDevice,
    };
  }

  /** The remembered reply for (user, device, id), or a new run of the command remembered under it. */
  #remembered(userId: string, command: PhoneCommand): Promise<PhoneReply> {
    const key = CommandMemory.key(userId, command.did, command.id);
    const fingerprint = commandFingerprint(command);
    const seen = this.#memory.get(key);
    if (seen) {
      if (seen.fingerprint === fingerprint) return seen.reply;
      const err = new HubError(
        'COMMAND_ID_REUSED',
        `command id ${command.id} was already used for a different command to this device; use a new id`,
        { errors: [{ path: '/id', message: 'already used for a different command' }] },
      );
      return Promise.resolve(errorReply(command.id, command.did, err));
    }
    const reply = this.#run(userId, command);
    const entry = { userId, fingerprint, reply, done: false, at: this.#now() };
    this.#memory.remember(key, entry);
    reply.then(() => {
      entry.done = true;
      entry.at = this.#now();
    });
    return reply;
  }

  /** A device's reply on dev/{did}/replies: relayed to the phone if it answers a pending command of that device. */
  fromDevice(deviceId: string, payload: Buffer): void {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#deviceLog.warn(deviceId, 'reply json', { deviceId }, 'device reply is not JSON');
      return;
    }
    if (!DeviceReplyCheck.Check(body)) {
      this.#deviceLog.warn(deviceId, 'reply shape', { deviceId }, 'device reply has the wrong shape');
      return;
    }
    const pending = this.#pending.get(body.id);
    if (!pending || pending.deviceId !== deviceId) {
      this.#deviceLog.debug(
        deviceId,
        'reply unknown',
        { deviceId, id: body.id },
        'late, duplicate or unknown reply ignored',
      );
      return;
    }
    const latencyMs = performance.now() - pending.sentAt;
    if (body.status === 'ok') {
      this.#o.outcomes?.command(deviceId, { ok: true, latencyMs });
      pending.settle({ id: null, did: deviceId, status: 'ok', data: pending.forPhone(body.data ?? {}) });
    } else {
      this.#o.outcomes?.command(deviceId, { ok: false, code: body.error?.code ?? 'UNKNOWN', latencyMs });
      const err = new HubError('DEVICE_ERROR', body.error?.message ?? 'the device refused the command');
      pending.settle(errorReply(null, deviceId, err, body.error?.code));
    }
  }

  /**
   * Sends the pending desired values of a device that just connected (no phone waits for this
   * reply): published before this returns; `reply` settles with the device's answer.
   */
  sendDesired(
    deviceId: string,
    spec: CompiledSpec,
    props: Record<string, unknown>,
  ): { reply: Promise<void> } {
    if (Object.keys(props).length === 0) return { reply: Promise.resolve() }; // a set with nothing in it is never sent
    const reply = this.#send(deviceId, spec, { op: 'set', props }, undefined).then((reply) => {
      if (reply.status === 'error')
        this.#deviceLog.warn(
          deviceId,
          'desired refused',
          {
            deviceId,
            code: reply.error.code,
            deviceCode: reply.error.deviceCode,
            message: clip(reply.error.message),
          },
          'desired state not applied',
        );
    });
    return { reply };
  }

  close(): void {
    clearInterval(this.#sweep);
    this.#deviceLog.close();
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    this.#pendingPerDevice.clear();
  }

  async #run(userId: string, command: PhoneCommand): Promise<PhoneReply> {
    const { id, did } = command;
    try {
      if ((await this.#o.access.role(userId, did)) === undefined)
        throw new HubError('NOT_FOUND', `device ${did} is not bound to you`);
      const spec = await this.#o.specOf(did);
      if (!spec) throw new HubError('NOT_FOUND', `device ${did} not found`);
      await this.#o.deltaInFlight?.(did);
      // Desired state is the hub's: reading and clearing it never reaches the device.
      const { userDesired } = this.#o;
      if (command.op === 'desired')
        return { id, did, status: 'ok', data: await userDesired.read(userId, did) };
      if (command.op === 'clear-desired')
        return { id, did, status: 'ok', data: await userDesired.clear(userId, did, command.props) };
      const valid = validateCommand(spec, command);
      // A set's desired values are stored while the device is being asked, not before: the device
      // gets the command one commit sooner (a commit that waits its turn behind the ingest batch
      // being written), and the phone's answer still waits for both, so an "ok" or "queued" means
      // stored. A report or refusal that comes back first waits for the write (DesiredState).
      const storing = valid.op === 'set' ? this.#o.desired.set(did, valid.props, userId) : undefined;
      if (!this.#o.isOnline(did)) {
        await storing;
        if (valid.op === 'set') return { id, did, status: 'queued', data: { desired: valid.props } };
        throw new HubError('DEVICE_OFFLINE', `device ${did} is offline`);
      }
      const sent = this.#send(did, spec, valid, userId);
      const reply = storing ? (await Promise.all([sent, storing]))[0] : await sent;
      // A refusal the device answered before this reply is stored before this answer goes out.
      const recording = this.#recording.get(did);
      if (recording) await recording;
      return { ...reply, id };
    } catch (err) {
      if (isHubError(err)) return errorReply(id, did, err);
      this.#o.log.error({ err, did }, 'command failed');
      return errorReply(id, did, new HubError('INTERNAL'));
    }
  }

  /** Refusals being stored per device, in the order the device answered. */
  readonly #recording = new Map<string, Promise<void>>();

  #recorded(deviceId: string, storing: Promise<void>): Promise<void> {
    const chained = (this.#recording.get(deviceId) ?? Promise.resolve()).then(() => storing);
    const settled = chained.catch(() => undefined);
    this.#recording.set(deviceId, settled);
    settled.then(() => {
      if (this.#recording.get(deviceId) === settled) this.#recording.delete(deviceId);
    });
    return chained;
  }

  /** Dispatches; a set the device refuses stops being desired (and the refusal is recorded). */
  #send(
    deviceId: string,
    spec: CompiledSpec,
    valid: ValidatedCommand,
    userId: string | undefined,
  ): Promise<PhoneReply> {
    const reply = this.#dispatch(deviceId, spec, valid, userId);
    if (valid.op !== 'set') return reply;
    return reply.then(async (r) => {
      if (r.status === 'error' && r.error.code === 'DEVICE_ERROR') {
        await this.#recorded(
          deviceId,
          this.#o.desired.refused(deviceId, valid.props, {
            code: r.error.deviceCode ?? r.error.code,
            message: r.error.message,
          }),
        );
      }
      return r;
    });
  }

  #dispatch(
    deviceId: string,
    spec: CompiledSpec,
    valid: ValidatedCommand,
    userId: string | undefined,
  ): Promise<PhoneReply> {
    const waiting = this.#pendingPerDevice.get(deviceId) ?? 0;
    if (waiting >= this.#limits.pendingPerDevice) {
      const err = new HubError(
        'DEVICE_BUSY',
        `${waiting} commands are already waiting for device ${deviceId}; retry when they are answered`,
        { headers: { 'retry-after': '1' } },
      );
      return Promise.resolve(errorReply(null, deviceId, err));
    }
    this.#pendingPerDevice.set(deviceId, waiting + 1);
    const hubId = this.#ids.next();
    const command = toDeviceCommand(spec, hubId, valid);
    return new Promise<PhoneReply>((resolve) => {
      const settle = (reply: PhoneReply) => {
        // Exactly once: whichever of reply, timeout or disconnect comes first removes the entry.
        const pending = this.#pending.get(hubId);
        if (!pending) return;
        this.#pending.delete(hubId);
        const left = (this.#pendingPerDevice.get(deviceId) ?? 1) - 1;
        if (left > 0) this.#pendingPerDevice.set(deviceId, left);
        else this.#pendingPerDevice.delete(deviceId);
        clearTimeout(pending.timer);
        resolve(reply);
      };
      const timer = setTimeout(() => {
        this.#o.outcomes?.command(deviceId, { timeout: true });
        settle(
          errorReply(
            null,
            deviceId,
            new HubError('DEVICE_TIMEOUT', `no reply within ${this.#o.timeoutMs} ms`),
          ),
        );
      }, this.#o.timeoutMs);
      timer.unref();
      const forPhone = (data: unknown) => replyDataForPhone(spec, valid.op, data);
      this.#pending.set(hubId, { deviceId, userId, timer, settle, forPhone, sentAt: performance.now() });
      this.#o.transport.toDevice(deviceId, command);
    });
  }

  /**
   * Users lost devices (unbound, share revoked, left the home): their commands still waiting for
   * those devices are answered NOT_FOUND at once, and a late device reply is dropped, so nothing
   * read from the device reaches someone who may no longer see it.
   */
  async #dropRevoked(userIds: readonly string[]): Promise<void> {
    if (this.#pending.size === 0) return;
    const lost = new Set(userIds);
    for (const p of [...this.#pending.values()]) {
      if (p.userId === undefined || !lost.has(p.userId)) continue;
      if ((await this.#o.access.role(p.userId, p.deviceId)) !== undefined) continue;
      const err = new HubError('NOT_FOUND', `device ${p.deviceId} is no longer bound to you`);
      p.settle(errorReply(null, p.deviceId, err));
    }
  }

  /** Every pending command of a device that disconnected gets DEVICE_OFFLINE (runs on every disconnect: cheap when none). */
  #failPending(deviceId: string): void {
    if (this.#pending.size === 0) return;
    for (const p of [...this.#pending.values()]) {
      if (p.deviceId !== deviceId) continue;
      this.#o.outcomes?.command(deviceId, { timeout: true });
      p.settle(
        errorReply(
          null,
          deviceId,
          new HubError('DEVICE_OFFLINE', 'the device disconnected before answering'),
        ),
      );
    }
  }
}
