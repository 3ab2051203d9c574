import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { CommunityApi, type CommunityNotice } from './community.js';
import { EcohubError } from './errors.js';
import { FirmwareApi } from './firmware.js';
import type { Command, CommandResult, DesiredState, DeviceState, Page, WatchHandlers } from './types.js';

export interface ClientOptions {
  /** The hub's HTTP base URL, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  /** mqtt://host:1883 or ws://host:8080/mqtt; default: the WebSocket endpoint of baseUrl. */
  readonly mqttUrl?: string;
  readonly token: string;
  /** How long `command()` waits for the hub's reply before rejecting with CLIENT_TIMEOUT. */
  readonly commandTimeoutMs?: number;
  /**
   * Names this app installation in its MQTT clientId `app/{uid}/{label}` (1..64 of A-Z a-z 0-9 . _ -).
   * Keep it stable per installation: a reconnect then replaces the old session. Default: random.
   */
  readonly clientLabel?: string;
}

interface ReplyMessage {
  id: string | null;
  did: string | null;
  status: 'ok' | 'queued' | 'error';
  data?: unknown;
  error?: { code: EcohubError['code']; mqttCode: number; message: string; deviceCode?: string };
}

/**
 * A phone or web app's client: log in, list devices, watch their state, send commands and await
 * the reply. Commands go over MQTT once `connect()` was called, else over REST.
 */
export class EcohubClient {
  readonly #o: ClientOptions;
  #mqtt: MqttClient | undefined;
  #userId: string | undefined;
  readonly #pending = new Map<
    string,
    { resolve: (r: CommandResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  readonly #watchers = new Map<string, Set<WatchHandlers>>();
  readonly #noticeHandlers = new Set<(notice: CommunityNotice) => void>();
  /** Owners' posts, votes, comments and the inbox (docs/community.md). */
  readonly community: CommunityApi;
  /** Your devices' firmware: updates and their progress, the beta channel, tester credit (docs/ota.md). */
  readonly firmware: FirmwareApi;

  constructor(options: ClientOptions) {
    this.#o = options;
    this.community = new CommunityApi((method, path, body) => this.#rest(method, path, body));
    this.firmware = new FirmwareApi((method, path, body) => this.#rest(method, path, body));
  }

  /** Logs in with email and password and returns a client holding the access token. */
  static async login(
    baseUrl: string,
    email: string,
    password: string,
    options: Partial<ClientOptions> = {},
  ): Promise<EcohubClient> {
    const body = await request<{ token: string; user: { id: string } }>(
      baseUrl,
      'POST',
      '/v1/auth/login',
      undefined,
      { email, password },
    );
    const client = new EcohubClient({ ...options, baseUrl, token: body.token });
    client.#userId = body.user.id;
    return client;
  }

  get token(): string {
    return this.#o.token;
  }

  async me(): Promise<{ id: string; email: string }> {
    const me = await this.#rest<{ id: string; email: string }>('GET', '/v1/me');
    this.#userId = me.id;
    return me;
  }

  /** Every device of the signed-in user (owned, shared or in their homes), by id; follows every page. */
  async devices(): Promise<DeviceState[]> {
    const all: DeviceState[] = [];
    let cursor: string | null = null;
    do {
      const query: string =
        cursor === null ? '?limit=1000' : `?limit=1000&cursor=${encodeURIComponent(cursor)}`;
      const page: Page<DeviceState> = await this.#rest<Page<DeviceState>>('GET', `/v1/me/devices${query}`);
      all.push(...page.items);
      cursor = page.next;
    } while (cursor !== null);
    return all;
  }

  device(deviceId: string): Promise<DeviceState> {
    return this.#rest<DeviceState>('GET', `/v1/me/devices/${encodeURIComponent(deviceId)}`);
  }

  /** Desired values not yet reflected by the device, and the values it refused. */
  desired(deviceId: string): Promise<DesiredState> {
    return this.#rest<DesiredState>('GET', `/v1/me/devices/${encodeURIComponent(deviceId)}/desired`);
  }

  /** Clears desired values (all, or one property) so the device is not sent them again. */
  clearDesired(deviceId: string, property?: string): Promise<DesiredState> {
    const one = property === undefined ? '' : `/${encodeURIComponent(property)}`;
    return this.#rest<DesiredState>('DELETE', `/v1/me/devices/${encodeURIComponent(deviceId)}/desired${one}`);
  }

  async claim(deviceId: string, pairingCode: string): Promise<void> {
    await this.#rest('POST', `/v1/devices/${encodeURIComponent(deviceId)}/claim`, { pairingCode });
  }

  /** Shares the device with an email; the same answer whether or not it has an account yet. */
  async share(deviceId: string, email: string): Promise<{ email: string; role: 'member'; since: string }> {
    return this.#rest('POST', `/v1/devices/${encodeURIComponent(deviceId)}/shares`, { email });
  }

  /** Revokes a share by the member's user id or the email it was shared with (or leaves, as a member). */
  async revokeShare(deviceId: string, member: string): Promise<void> {
    await this.#rest(
      'DELETE',
      `/v1/devices/${encodeURIComponent(deviceId)}/shares/${encodeURIComponent(member)}`,
    );
  }

  async remove(deviceId: string): Promise<{ pairingCode: string }> {
    return this.#rest('DELETE', `/v1/devices/${encodeURIComponent(deviceId)}/binding`);
  }

  /**
   * Opens the MQTT session (clientId `app/{uid}/{label}`, username `token`, the access token as
   * password) and subscribes to the reply inbox.
   */
  async connect(): Promise<void> {
    if (this.#mqtt) return;
    const userId = this.#userId ?? (await this.me()).id;
    const url = this.#o.mqttUrl ?? `${this.#o.baseUrl.replace(/^http/, 'ws')}/mqtt`;
    const label = this.#o.clientLabel ?? `sdk-${randomBytes(6).toString('hex')}`;
    const client = mqtt.connect(url, {
      clientId: `app/${userId}/${label}`,
      username: 'token',
      password: this.#o.token,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (err) => reject(new EcohubError('CONNECTION', err.message)));
    });
    client.on('message', (topic, payload) => this.#onMessage(userId, topic, payload));
    await client.subscribeAsync(`app/${userId}/replies`, { qos: 1 });
    this.#mqtt = client;
  }

  /** Watches a device's shadow updates, presence and events; returns a function that stops watching. */
  async watch(deviceId: string, handlers: WatchHandlers): Promise<() => Promise<void>> {
    await this.connect();
    const client = this.#mqtt as MqttClient;
    let set = this.#watchers.get(deviceId);
    if (!set) {
      set = new Set();
      this.#watchers.set(deviceId, set);
      const granted = await client
        .subscribeAsync(`dev/${deviceId}/+`, { qos: 1 })
        .catch((err: { packet?: { granted?: number[] } }) => {
          if (err.packet?.granted?.[0] === 128) return [{ qos: 128 }];
          throw err;
        });
      if (granted[0]?.qos === 128) {
        this.#watchers.delete(deviceId);
        throw new EcohubError('NOT_FOUND', `device ${deviceId} is not bound to you`);
      }
    }
    set.add(handlers);
    return async () => {
      set.delete(handlers);
      if (set.size === 0) {
        this.#watchers.delete(deviceId);
        await client.unsubscribeAsync(`dev/${deviceId}/+`);
      }
    };
  }

  /** Calls `handler` with each community notice as it arrives over MQTT; returns a function that stops. */
  async onNotice(handler: (notice: CommunityNotice) => void): Promise<() => Promise<void>> {
    await this.connect();
    const client = this.#mqtt as MqttClient;
    const topic = `app/${this.#userId ?? ''}/notifications`;
    if (this.#noticeHandlers.size === 0) await client.subscribeAsync(topic, { qos: 1 });
    this.#noticeHandlers.add(handler);
    return async () => {
      this.#noticeHandlers.delete(handler);
      if (this.#noticeHandlers.size === 0) await client.unsubscribeAsync(topic);
    };
  }

  /** Sends a command and resolves with the device's reply (or `queued` for a set to an offline device). */
  command(deviceId: string, command: Command, options: { id?: string } = {}): Promise<CommandResult> {
    const id = options.id ?? randomBytes(8).toString('hex');
    if (!this.#mqtt || !this.#userId) {
      return this.#rest<CommandResult & { id: string }>(
        'POST',
        `/v1/devices/${encodeURIComponent(deviceId)}/commands`,
        {
          id,
          ...command,
        },
      ).then((r) => ({ status: r.status, data: r.data }) as CommandResult);
    }
    const client = this.#mqtt;
    const userId = this.#userId;
    return new Promise<CommandResult>((resolve, reject) => {
      const timeoutMs = this.#o.commandTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new EcohubError('CLIENT_TIMEOUT', `no reply to command ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      client.publish(`app/${userId}/cmd`, JSON.stringify({ id, did: deviceId, ...command }), { qos: 1 });
    });
  }

  async close(): Promise<void> {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new EcohubError('CONNECTION', 'client closed'));
    }
    this.#pending.clear();
    const client = this.#mqtt;
    this.#mqtt = undefined;
    if (client) await client.endAsync();
  }

  #onMessage(userId: string, topic: string, payload: Buffer): void {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (topic === `app/${userId}/replies`) {
      const reply = body as ReplyMessage;
      const pending = reply.id ? this.#pending.get(reply.id) : undefined;
      if (!pending || !reply.id) return;
      this.#pending.delete(reply.id);
      clearTimeout(pending.timer);
      if (reply.status === 'error') {
        const e = reply.error;
        pending.reject(
          new EcohubError(e?.code ?? 'INTERNAL', e?.message ?? 'command failed', {
            ...(e?.mqttCode !== undefined ? { mqttCode: e.mqttCode } : {}),
            ...(e?.deviceCode !== undefined ? { deviceCode: e.deviceCode } : {}),
          }),
        );
      } else {
        pending.resolve({ status: reply.status, data: reply.data } as CommandResult);
      }
      return;
    }
    if (topic === `app/${userId}/notifications`) {
      for (const h of this.#noticeHandlers) h(body as CommunityNotice);
      return;
    }
    const [, deviceId, kind] = topic.split('/');
    const handlers = deviceId ? this.#watchers.get(deviceId) : undefined;
    if (!handlers) return;
    for (const h of handlers) {
      if (kind === 'shadow') h.shadow?.(body as never);
      else if (kind === 'presence') h.presence?.(body as never);
      else if (kind === 'notify') h.event?.(body as never);
    }
  }

  #rest<T>(method: string, path: string, body?: unknown): Promise<T> {
    return request<T>(this.#o.baseUrl, method, path, this.#o.token, body);
  }
}

async function request<T>(
  baseUrl: string,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new EcohubError('CONNECTION', err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) {
    throw new EcohubError(
      (parsed['code'] as EcohubError['code']) ?? 'INTERNAL',
      String(parsed['detail'] ?? res.statusText),
      {
        status: res.status,
        errors: (parsed['errors'] as Array<{ path: string; message: string }>) ?? [],
      },
    );
  }
  return parsed as T;
}
