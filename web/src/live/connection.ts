import mqtt, { type MqttClient } from 'mqtt';
import { Observable } from './observable.js';

export type LinkState =
  | { readonly status: 'connecting'; readonly attempt: number }
  | { readonly status: 'online' }
  | { readonly status: 'waiting'; readonly retryAt: number; readonly reason: string }
  | { readonly status: 'refused'; readonly reason: string }
  | { readonly status: 'stopped' };

export interface LiveConnectionOptions {
  /** `ws://host/mqtt` (or wss://). */
  readonly url: string;
  readonly token: string;
  readonly userId: string;
  readonly onMessage: (topic: string, body: unknown) => void;
  /** Every CONNACK; `again` after the first: state may have changed while the link was down. */
  readonly onOnline: (again: boolean) => void;
  /** The hub refused the token (expired, revoked): retrying cannot help. */
  readonly onRefused: () => void;
  /** Devices watched while online are subscribed: their state may have changed before the SUBACK. */
  readonly onWatched?: () => void;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly random?: () => number;
}

/**
 * The phone session over MQTT on WebSocket (docs/protocol.md, "Phones"): username `token`, the
 * access token as password. It watches `dev/{did}/+` of the user's devices and its own inbox.
 * A lost link is retried with exponential backoff and equal jitter (1 s doubling to 30 s), at once
 * when the browser comes back online or the page becomes visible again.
 */
export class LiveConnection extends Observable {
  state: LinkState = { status: 'stopped' };
  readonly #o: LiveConnectionOptions;
  readonly #watched = new Set<string>();
  /** In the user's namespace, as the hub requires of phones (docs/protocol.md, "Phones"); one per tab. */
  readonly #clientId: string;
  #client: MqttClient | undefined;
  #attempt = 0;
  #everOnline = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #wake = () => {
    if (this.state.status === 'waiting') this.#connect();
  };
  readonly #visible = () => {
    if (document.visibilityState === 'visible') this.#wake();
  };

  constructor(options: LiveConnectionOptions) {
    super();
    this.#o = options;
    this.#clientId = `app/${options.userId}/web-${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  }

  get inbox(): string {
    return `app/${this.#o.userId}/`;
  }

  start(): void {
    if (this.state.status !== 'stopped') return;
    window.addEventListener('online', this.#wake);
    document.addEventListener('visibilitychange', this.#visible);
    this.#connect();
  }

  stop(): void {
    window.removeEventListener('online', this.#wake);
    document.removeEventListener('visibilitychange', this.#visible);
    clearTimeout(this.#timer);
    this.#client?.end(true);
    this.#client = undefined;
    this.#set({ status: 'stopped' });
  }

  /** Starts watching these devices (subscribes now when online, and after every reconnect). */
  watch(deviceIds: Iterable<string>): void {
    const fresh = [...deviceIds].filter((id) => !this.#watched.has(id));
    for (const id of fresh) this.#watched.add(id);
    if (fresh.length > 0 && this.state.status === 'online') {
      this.#client?.subscribe(
        fresh.map((id) => `dev/${id}/+`),
        { qos: 1 },
        () => this.#o.onWatched?.(),
      );
    }
  }

  unwatch(deviceId: string): void {
    if (!this.#watched.delete(deviceId)) return;
    if (this.state.status === 'online') this.#client?.unsubscribe(`dev/${deviceId}/+`);
  }

  /** Publishes at QoS 1; false when the link is down (the caller keeps the message for later). */
  publish(topic: string, body: unknown): boolean {
    if (this.state.status !== 'online' || this.#client === undefined) return false;
    this.#client.publish(topic, JSON.stringify(body), { qos: 1 });
    return true;
  }

  #set(state: LinkState): void {
    this.state = state;
    this.changed();
  }

  #connect(): void {
    clearTimeout(this.#timer);
    this.#client?.end(true);
    this.#set({ status: 'connecting', attempt: this.#attempt });
    const client = mqtt.connect(this.#o.url, {
      clientId: this.#clientId,
      username: 'token',
      password: this.#o.token,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      // Reconnects are ours (backoff with jitter, wake-ups); MQTT.js would retry at a fixed period.
      reconnectPeriod: 0,
      resubscribe: false,
    });
    this.#client = client;
    let refused = false;
    client.on('connect', () => {
      if (this.#client !== client) return;
      this.#attempt = 0;
      const filters = [
        `${this.inbox}replies`,
        `${this.inbox}firmware`,
        ...[...this.#watched].map((id) => `dev/${id}/+`),
      ];
      client.subscribe(filters, { qos: 1 }, () => {
        if (this.#client !== client) return;
        const again = this.#everOnline;
        this.#everOnline = true;
        this.#set({ status: 'online' });
        this.#o.onOnline(again);
      });
    });
    client.on('message', (topic, payload) => {
      if (this.#client !== client) return;
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder().decode(payload));
      } catch {
        return;
      }
      this.#o.onMessage(topic, body);
    });
    client.on('error', (err: Error & { code?: unknown }) => {
      // CONNACK 4 (bad user name or password) or 5 (not authorized): the token is no longer valid;
      // 2 (identifier rejected): this client id is not allowed. Retrying cannot help either.
      if (err.code === 2 || err.code === 4 || err.code === 5) {
        refused = true;
        client.end(true);
      }
    });
    client.on('close', () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      if (refused) {
        this.#set({ status: 'refused', reason: 'the hub refused this session' });
        this.#o.onRefused();
        return;
      }
      this.#retry('connection lost');
    });
  }

  #retry(reason: string): void {
    const base = this.#o.backoffBaseMs ?? 1000;
    const max = this.#o.backoffMaxMs ?? 30_000;
    const ceiling = Math.min(max, base * 2 ** Math.min(this.#attempt, 16));
    const delay = ceiling / 2 + (this.#o.random ?? Math.random)() * (ceiling / 2);
    this.#attempt++;
    this.#set({ status: 'waiting', retryAt: Date.now() + delay, reason });
    this.#timer = setTimeout(() => this.#connect(), delay);
  }
}
