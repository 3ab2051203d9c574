import pg from 'pg';
import type { Logger } from 'pino';
import type { NotificationHandler, Subscription } from './engine.js';
import { hubTypes } from './postgres-types.js';

export interface ListenerOptions {
  readonly config: pg.ClientConfig;
  readonly log: Logger | undefined;
  /** First and last wait between reconnection attempts. */
  readonly backoffMs?: { readonly min: number; readonly max: number };
}

/**
 * LISTEN on one dedicated connection (a pooled one would be handed to someone else). When it
 * drops, it reconnects with backoff, LISTENs again on every channel and calls each handler's
 * reset(): notifications sent while it was away are lost, so whatever they would have invalidated
 * must be dropped.
 */
export class PostgresListener {
  readonly #options: ListenerOptions;
  readonly #handlers = new Map<string, Set<NotificationHandler>>();
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #delay: number;
  #closed = false;

  constructor(options: ListenerOptions) {
    this.#options = options;
    this.#delay = options.backoffMs?.min ?? 100;
  }

  async subscribe(channel: string, handler: NotificationHandler): Promise<Subscription> {
    if (this.#closed) throw new Error('the database engine is closed');
    let handlers = this.#handlers.get(channel);
    const fresh = !handlers;
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
    }
    handlers.add(handler);
    try {
      const client = await this.#connected();
      // A new connection LISTENs on every channel it knows; only an existing one needs telling.
      if (fresh && this.#client === client) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      handlers.delete(handler);
      if (handlers.size === 0) this.#handlers.delete(channel);
      throw err;
    }
    const set = handlers;
    return {
      close: async () => {
        set.delete(handler);
        if (set.size > 0 || this.#handlers.get(channel) !== set) return;
        this.#handlers.delete(channel);
        await this.#client?.query(`UNLISTEN ${channel}`).catch(() => undefined);
      },
    };
  }

  #connected(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ ...this.#options.config, types: hubTypes });
    client.on('notification', (msg) => this.#dispatch(msg.channel, msg.payload ?? ''));
    client.on('error', (err) => this.#dropped(client, err));
    client.on('end', () => this.#dropped(client, undefined));
    await client.connect();
    try {
      for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      throw new Error('the database engine is closed');
    }
    this.#client = client;
    return client;
  }

  #dispatch(channel: string, payload: string): void {
    for (const handler of this.#handlers.get(channel) ?? []) {
      try {
        handler.message(payload);
      } catch (err) {
        this.#options.log?.error({ err, channel }, 'a notification handler failed');
      }
    }
  }

  #dropped(client: pg.Client, err: Error | undefined): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    if (this.#closed) return;
    this.#options.log?.warn({ err }, 'the notification connection dropped: reconnecting');
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#timer || this.#handlers.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connected().then(
        () => {
          this.#delay = this.#options.backoffMs?.min ?? 100;
          this.#options.log?.info('the notification connection is back: caches reset');
          for (const handlers of this.#handlers.values()) {
            for (const h of handlers) {
              try {
                h.reset?.();
              } catch (err) {
                this.#options.log?.error({ err }, 'a notification reset handler failed');
              }
            }
          }
        },
        (err: unknown) => {
          this.#options.log?.debug({ err }, 'notification reconnect failed');
          this.#delay = Math.min(this.#delay * 2, this.#options.backoffMs?.max ?? 5000);
          this.#schedule();
        },
      );
    }, this.#delay);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    this.#handlers.clear();
    await client?.end().catch(() => undefined);
  }
}
