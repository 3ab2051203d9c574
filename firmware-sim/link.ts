import type { Connector, ConnectParams, DeviceConnection } from './connection.js';
import type { Prng } from './prng.js';

export type LinkStatus = 'idle' | 'connecting' | 'online' | 'waiting' | 'stopped';

export interface LinkHooks {
  readonly onMessage: (topic: string, payload: Buffer) => void;
  /** A connection is up (CONNACK accepted). */
  readonly onOnline: (connection: DeviceConnection) => void;
  readonly onOffline: (error: Error | undefined) => void;
  /** An attempt failed; returning true stops the link instead of retrying. */
  readonly onAttemptFailed: (error: Error) => boolean;
}

export interface LinkOptions {
  readonly connector: Connector;
  readonly params: Omit<ConnectParams, 'onMessage' | 'onClose'>;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** `jittered` (good firmware); `exact` and `fixed` are the noJitter and noBackoff faults. */
  readonly backoff?: 'jittered' | 'exact' | 'fixed';
  /** Jitter comes from the device's PRNG, so a seeded run retries at the same moments. */
  readonly rng: Prng;
}

/**
 * A device's MQTT session that comes back by itself: each lost connection or failed attempt is
 * retried after an exponential backoff with jitter. It owns no timer: `tick(now)` from the
 * (shared) ticker starts due retries and drives the connection's keepalive.
 */
export class ReconnectingLink {
  readonly #o: LinkOptions;
  readonly #hooks: LinkHooks;
  #status: LinkStatus = 'idle';
  #connection: DeviceConnection | undefined;
  #attempts = 0;
  #nextAttemptAt = 0;

  constructor(options: LinkOptions, hooks: LinkHooks) {
    this.#o = options;
    this.#hooks = hooks;
  }

  get status(): LinkStatus {
    return this.#status;
  }

  get connection(): DeviceConnection | undefined {
    return this.#connection;
  }

  connect(): void {
    if (this.#status === 'idle') this.#attempt();
  }

  tick(now: number): void {
    if (this.#status === 'waiting' && now >= this.#nextAttemptAt) this.#attempt();
    else if (this.#status === 'online') this.#connection?.tick(now);
  }

  /** Drops the connection without DISCONNECT; a retry follows. */
  drop(): void {
    this.#connection?.destroy();
  }

  /** Disconnects cleanly (DISCONNECT) and never retries again. */
  async stop(): Promise<void> {
    if (this.#status === 'stopped') return;
    this.#status = 'stopped';
    const connection = this.#connection;
    if (connection !== undefined) await connection.end().catch(() => connection.destroy());
  }

  #attempt(): void {
    this.#status = 'connecting';
    const connecting = this.#o.connector({
      ...this.#o.params,
      onMessage: this.#hooks.onMessage,
      onClose: (error) => this.#closed(error),
    });
    connecting.then(
      (connection) => {
        if (this.#status === 'stopped') {
          connection.end().catch(() => connection.destroy());
          return;
        }
        this.#connection = connection;
        this.#status = 'online';
        this.#attempts = 0;
        this.#hooks.onOnline(connection);
      },
      (error: unknown) => {
        const err = error instanceof Error ? error : new Error(String(error));
        if (this.#status === 'stopped') return;
        if (this.#hooks.onAttemptFailed(err)) {
          this.#status = 'stopped';
          return;
        }
        this.#retryLater();
      },
    );
  }

  #closed(error: Error | undefined): void {
    this.#connection = undefined;
    this.#hooks.onOffline(error);
    if (this.#status !== 'stopped') this.#retryLater();
  }

  #retryLater(): void {
    // Exponential backoff with "equal jitter": half the delay fixed, half random, so a fleet that lost
    // the hub at once does not come back at once.
    const ceiling = Math.min(this.#o.backoffMaxMs, this.#o.backoffBaseMs * 2 ** Math.min(this.#attempts, 30));
    this.#attempts++;
    const mode = this.#o.backoff ?? 'jittered';
    const delay =
      mode === 'fixed'
        ? this.#o.backoffBaseMs
        : mode === 'exact'
          ? ceiling
          : ceiling / 2 + this.#o.rng.next() * (ceiling / 2);
    this.#nextAttemptAt = Date.now() + delay;
    this.#status = 'waiting';
  }
}
