import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RegistryBus, RegistryEvents } from '../registry/events.js';
import { CHANNELS } from './directory.js';

/**
 * Registry events every node must act on, whichever node caused them: a changed share or home
 * (each node reloads its in-memory access index from the database, so a revoked share stops
 * delivery on every node on the next message), a revoked device, a revoked user session. Presence,
 * reports and events are not relayed: they travel as MQTT messages through the Redis emitter.
 */
export const RELAYED = ['access', 'revoke', 'revokeUser', 'revokePartnerKey'] as const;
type Relayed = (typeof RELAYED)[number];

interface Envelope {
  readonly from: string;
  readonly event: Relayed;
  readonly payload: RegistryEvents[Relayed][0];
}

export class BusRelay {
  readonly #bus: RegistryBus;
  readonly #redis: Redis;
  readonly #node: string;
  readonly #log: Logger;
  /** True while re-emitting a remote event, so it is not sent back out. */
  #replaying = false;
  readonly #listeners: Array<() => void> = [];

  constructor(deps: { bus: RegistryBus; redis: Redis; sub: Redis; node: string; log: Logger }) {
    this.#bus = deps.bus;
    this.#redis = deps.redis;
    this.#node = deps.node;
    this.#log = deps.log;
    deps.sub.on('message', (channel: string, message: string) => {
      if (channel === CHANNELS.bus) this.#receive(message);
    });
  }

  async start(sub: Redis): Promise<void> {
    await sub.subscribe(CHANNELS.bus);
    for (const event of RELAYED) {
      const listener = (payload: RegistryEvents[typeof event][0]) => {
        if (this.#replaying) return;
        const envelope: Envelope = { from: this.#node, event, payload };
        this.#redis.publish(CHANNELS.bus, JSON.stringify(envelope)).catch((err: unknown) => {
          this.#log.error({ err: String(err), event }, 'relaying a registry event to the other nodes failed');
        });
      };
      this.#bus.on(event, listener as never);
      this.#listeners.push(() => this.#bus.off(event, listener as never));
    }
  }

  stop(): void {
    for (const off of this.#listeners) off();
    this.#listeners.length = 0;
  }

  #receive(message: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return;
    }
    if (envelope.from === this.#node || !(RELAYED as readonly string[]).includes(envelope.event)) return;
    this.#replaying = true;
    try {
      this.#bus.emit(envelope.event, envelope.payload as never);
    } catch (err) {
      this.#log.error({ err, event: envelope.event }, 'a relayed registry event failed here');
    } finally {
      this.#replaying = false;
    }
  }
}
