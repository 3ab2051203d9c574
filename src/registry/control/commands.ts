import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { errorTable, HubError, isHubError } from '../../errors.js';
import type { RegistryBus } from '../events.js';
import type { CompiledSpec } from '../spec/index.js';
import type { AccessIndex } from './access-index.js';
import {
  type DeviceCommand,
  DeviceReplyCheck,
  type PhoneCommand,
  PhoneCommandCheck,
  type PhoneReply,
} from './command-schema.js';
import { propertyKeys, validateCommand, withId } from './command-validation.js';
import type { DesiredState, DesiredView } from './desired.js';

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
  readonly specOf: (deviceId: string) => CompiledSpec | undefined;
  readonly isOnline: (deviceId: string) => boolean;
  readonly transport: CommandTransport;
  /** No device reply within this gives DEVICE_TIMEOUT. */
  readonly timeoutMs: number;
  /** How long a phone's command id is remembered: a repeat within it is answered, not re-executed. */
  readonly dedupMs?: number;
}

interface Pending {
  readonly deviceId: string;
  /** Who is waiting for the reply; undefined for the hub's own desired-state delivery. */
  readonly userId: string | undefined;
  readonly timer: NodeJS.Timeout;
  readonly settle: (reply: PhoneReply) => void;
}

function errorReply(id: string | null, did: string | null, err: HubError, deviceCode?: string): PhoneReply {
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
    },
  };
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
  /** userId + NUL + phone command id -> the reply (a promise while the command runs). */
  readonly #recent = new Map<string, { at: number; reply: Promise<PhoneReply>; done: boolean }>();
  readonly #sweep: NodeJS.Timeout;

  constructor(options: CommandServiceOptions) {
    this.#o = options;
    const dedupMs = options.dedupMs ?? 10 * 60_000;
    this.#sweep = setInterval(
      () => {
        const cutoff = Date.now() - dedupMs;
        for (const [key, entry] of this.#recent)
          if (entry.done && entry.at < cutoff) this.#recent.delete(key);
      },
      Math.min(dedupMs, 60_000),
    );
    this.#sweep.unref();
    options.bus.on('presence', ({ deviceId, online }) => {
      if (!online) this.#failPending(deviceId);
    });
    // Registered after the access index's own listener: roles are already reloaded here.
    options.bus.on('access', ({ userIds }) => this.#dropRevoked(userIds));
  }

  /**
   * A command from the phone's MQTT session: answered on app/{uid}/replies. A repeat of a command
   * still running is ignored (its one reply answers it); a repeat of a finished one gets the same reply.
   */
  fromPhone(userId: string, payload: Buffer): void {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#o.transport.toUser(
        userId,
        errorReply(null, null, new HubError('INVALID_JSON', 'the command is not valid JSON')),
      );
      return;
    }
    if (!PhoneCommandCheck.Check(body)) {
      // First(): the iterator is lazy, so a payload of thousands of bad keys costs one error, not thousands.
      const first = PhoneCommandCheck.Errors(body).First();
      const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const id = typeof record['id'] === 'string' ? record['id'] : null;
      const did = typeof record['did'] === 'string' ? record['did'] : null;
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
    const key = `${userId}\u0000${body.id}`;
    const seen = this.#recent.get(key);
    if (seen && !seen.done) return;
    const reply = seen ? seen.reply : this.execute(userId, body);
    reply.then((r) => this.#o.transport.toUser(userId, r));
  }

  /** Runs one command and resolves with its one reply (also the REST mirror's entry point). */
  execute(userId: string, command: PhoneCommand): Promise<PhoneReply> {
    const key = `${userId}\u0000${command.id}`;
    const seen = this.#recent.get(key);
    if (seen) return seen.reply;
    const entry = { at: Date.now(), reply: this.#run(userId, command), done: false };
    this.#recent.set(key, entry);
    entry.reply.then(() => {
      entry.done = true;
      entry.at = Date.now();
    });
    return entry.reply;
  }

  /** A device's reply on dev/{did}/replies: relayed to the phone if it answers a pending command of that device. */
  fromDevice(deviceId: string, payload: Buffer): void {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#o.log.warn({ deviceId }, 'device reply is not JSON');
      return;
    }
    if (!DeviceReplyCheck.Check(body)) {
      this.#o.log.warn({ deviceId }, 'device reply has the wrong shape');
      return;
    }
    const pending = this.#pending.get(body.id);
    if (!pending || pending.deviceId !== deviceId) {
      this.#o.log.debug({ deviceId, id: body.id }, 'late, duplicate or unknown reply ignored');
      return;
    }
    if (body.status === 'ok') {
      pending.settle({ id: null, did: deviceId, status: 'ok', data: body.data ?? {} });
    } else {
      const err = new HubError('DEVICE_ERROR', body.error?.message ?? 'the device refused the command');
      pending.settle(errorReply(null, deviceId, err, body.error?.code));
    }
  }

  /** Sends the pending desired values of a device that just connected (no phone waits for this reply). */
  sendDesired(deviceId: string, props: Record<string, unknown>): void {
    if (Object.keys(props).length === 0) return; // a set with nothing in it is never sent
    this.#send(deviceId, { op: 'set', props }, undefined).then((reply) => {
      if (reply.status === 'error')
        this.#o.log.info({ deviceId, error: reply.error.code }, 'desired state not applied');
    });
  }

  /** The device's desired values and refusals, for a user who may control it (NOT_FOUND otherwise). */
  desiredOf(userId: string, did: string): DesiredView {
    this.#specFor(userId, did);
    return this.#o.desired.fullView(did);
  }

  /** Clears desired values (all, or the given property refs) and their refusals; returns what is left. */
  clearDesired(userId: string, did: string, refs?: readonly string[]): DesiredView {
    const spec = this.#specFor(userId, did);
    const keys = refs === undefined ? undefined : propertyKeys(spec, refs);
    this.#o.desired.clear(did, keys);
    this.#o.log.info({ deviceId: did, userId, properties: keys ?? 'all' }, 'desired state cleared');
    return this.#o.desired.fullView(did);
  }

  #specFor(userId: string, did: string): CompiledSpec {
    const spec = this.#o.access.role(userId, did) === undefined ? undefined : this.#o.specOf(did);
    if (!spec) throw new HubError('NOT_FOUND', `device ${did} is not bound to you`);
    return spec;
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
  }

  async #run(userId: string, command: PhoneCommand): Promise<PhoneReply> {
    const { id, did } = command;
    try {
      if (this.#o.access.role(userId, did) === undefined)
        throw new HubError('NOT_FOUND', `device ${did} is not bound to you`);
      const spec = this.#o.specOf(did);
      if (!spec) throw new HubError('NOT_FOUND', `device ${did} not found`);
      // Desired state is the hub's: reading and clearing it never reaches the device.
      if (command.op === 'desired') return { id, did, status: 'ok', data: this.desiredOf(userId, did) };
      if (command.op === 'clear-desired')
        return { id, did, status: 'ok', data: this.clearDesired(userId, did, command.props) };
      const valid = validateCommand(spec, command);
      if (valid.op === 'set') this.#o.desired.set(did, valid.props, userId);
      if (!this.#o.isOnline(did)) {
        if (valid.op === 'set') return { id, did, status: 'queued', data: { desired: valid.props } };
        throw new HubError('DEVICE_OFFLINE', `device ${did} is offline`);
      }
      const reply = await this.#send(did, valid, userId);
      return { ...reply, id };
    } catch (err) {
      if (isHubError(err)) return errorReply(id, did, err);
      this.#o.log.error({ err, did }, 'command failed');
      return errorReply(id, did, new HubError('INTERNAL'));
    }
  }

  /** Dispatches; a set the device refuses stops being desired (and the refusal is recorded). */
  #send(
    deviceId: string,
    valid: Parameters<typeof withId>[1],
    userId: string | undefined,
  ): Promise<PhoneReply> {
    const reply = this.#dispatch(deviceId, valid, userId);
    if (valid.op !== 'set') return reply;
    return reply.then((r) => {
      if (r.status === 'error' && r.error.code === 'DEVICE_ERROR') {
        this.#o.desired.refused(deviceId, valid.props, {
          code: r.error.deviceCode ?? r.error.code,
          message: r.error.message,
        });
      }
      return r;
    });
  }

  #dispatch(
    deviceId: string,
    valid: Parameters<typeof withId>[1],
    userId: string | undefined,
  ): Promise<PhoneReply> {
    const hubId = randomBytes(8).toString('hex');
    return new Promise<PhoneReply>((resolve) => {
      const settle = (reply: PhoneReply) => {
        // Exactly once: whichever of reply, timeout or disconnect comes first removes the entry.
        const pending = this.#pending.get(hubId);
        if (!pending) return;
        this.#pending.delete(hubId);
        clearTimeout(pending.timer);
        resolve(reply);
      };
      const timer = setTimeout(
        () =>
          settle(
            errorReply(
              null,
              deviceId,
              new HubError('DEVICE_TIMEOUT', `no reply within ${this.#o.timeoutMs} ms`),
            ),
          ),
        this.#o.timeoutMs,
      );
      timer.unref();
      this.#pending.set(hubId, { deviceId, userId, timer, settle });
      this.#o.transport.toDevice(deviceId, withId(hubId, valid));
    });
  }

  /**
   * Users lost devices (unbound, share revoked, left the home): their commands still waiting for
   * those devices are answered NOT_FOUND at once, and a late device reply is dropped, so nothing
   * read from the device reaches someone who may no longer see it.
   */
  #dropRevoked(userIds: readonly string[]): void {
    if (this.#pending.size === 0) return;
    const lost = new Set(userIds);
    for (const p of [...this.#pending.values()]) {
      if (p.userId === undefined || !lost.has(p.userId)) continue;
      if (this.#o.access.role(p.userId, p.deviceId) !== undefined) continue;
      p.settle(
        errorReply(
          null,
          p.deviceId,
          new HubError('NOT_FOUND', `device ${p.deviceId} is no longer bound to you`),
        ),
      );
    }
  }

  /** Every pending command of a device that disconnected gets DEVICE_OFFLINE (runs on every disconnect: cheap when none). */
  #failPending(deviceId: string): void {
    if (this.#pending.size === 0) return;
    for (const p of [...this.#pending.values()]) {
      if (p.deviceId !== deviceId) continue;
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
