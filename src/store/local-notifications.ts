import type { NotificationHandler, Subscription } from './engine.js';

/**
 * In-process notifications: what LISTEN/NOTIFY is on PostgreSQL, for the one process that owns a
 * SQLite file. Delivery is asynchronous (next turn of the event loop), as it is from PostgreSQL, so
 * code never comes to rely on a handler having run before notify() returns.
 */
export class LocalNotifications {
  readonly #handlers = new Map<string, Set<NotificationHandler>>();
  readonly #onError: (err: unknown, channel: string) => void;

  /** `onError` hears a handler that threw (a handler's failure must not reach the notifier). */
  constructor(onError: (err: unknown, channel: string) => void) {
    this.#onError = onError;
  }

  emit(channel: string, payload: string): void {
    const handlers = this.#handlers.get(channel);
    if (!handlers || handlers.size === 0) return;
    const targets = [...handlers];
    setImmediate(() => {
      for (const h of targets) {
        try {
          h.message(payload);
        } catch (err) {
          this.#onError(err, channel);
        }
      }
    });
  }

  subscribe(channel: string, handler: NotificationHandler): Subscription {
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
    }
    handlers.add(handler);
    return {
      close: async () => {
        handlers.delete(handler);
        if (handlers.size === 0 && this.#handlers.get(channel) === handlers) this.#handlers.delete(channel);
      },
    };
  }
}
