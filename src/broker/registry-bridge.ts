import type { Logger } from 'pino';
import type { RegistryBus } from '../registry/events.js';
import type { MqttBroker } from './broker.js';

/**
 * Turns registry events into MQTT traffic (docs/protocol.md, "Hub topics"): presence as a retained
 * message, every accepted report as a shadow update, every accepted event as a notification, and
 * revocations as disconnects. The registry only emits; this is the one place that publishes for it.
 *
 * Nothing is built or routed for nobody: a shadow update or notification is published only when
 * some session (connected, or persistent with messages queued) holds a filter matching it, and
 * retained presence is written once per change of state, the changes of one event-loop turn
 * coalesced (a device that drops and comes back within it changes nothing).
 */
export function bridgeRegistryToBroker(deps: {
  bus: RegistryBus;
  broker: MqttBroker;
  log: Logger;
  /**
   * Cluster mode: true when the device's session here ended because another node took it over.
   * Its presence stays online (the other node announced it), so a device that moves never flaps.
   */
  movedAway?: (deviceId: string) => boolean;
}): void {
  const { bus, broker, log } = deps;
  const failed = (topic: string) => (err: unknown) => log.warn({ err, topic }, 'hub publish failed');
  const publish = (topic: string, body: unknown) => {
    broker.publish(topic, JSON.stringify(body), { qos: 1 }).catch(failed(topic));
  };
  const presence = new PresenceWriter((deviceId, online, at) => {
    const topic = `dev/${deviceId}/presence`;
    broker.retain(topic, JSON.stringify({ online, at: new Date(at).toISOString() })).catch(failed(topic));
  });

  bus.on('presence', ({ deviceId, online, at, swept }) => {
    // Cluster mode: a device whose session moved to another node stays online (that node said so);
    // what the retained message says is that node's business now, so this one forgets it.
    if (!online && deps.movedAway?.(deviceId)) {
      presence.forget(deviceId);
      return;
    }
    presence.changed(deviceId, online, at, swept === true);
  });
  bus.on('reported', ({ deviceId, version, at, props, seq }) => {
    const topic = `dev/${deviceId}/shadow`;
    if (broker.watched(topic))
      publish(topic, { version, at: new Date(at).toISOString(), seq, reported: props });
  });
  bus.on('event', ({ deviceId, event, at, seq, arguments: args }) => {
    const topic = `dev/${deviceId}/notify`;
    if (broker.watched(topic))
      publish(topic, { event, at: new Date(at).toISOString(), seq, arguments: args });
  });
  bus.on('revoke', ({ deviceId, reason }) => {
    if (broker.disconnect(deviceId)) log.info({ deviceId, reason }, 'device disconnected');
  });
  bus.on('revokeUser', ({ userId, tokenId, reason }) => {
    const sessions = broker.disconnectUser(userId, tokenId);
    if (sessions > 0) log.info({ userId, sessions, reason }, 'user sessions closed');
  });
  bus.on('revokePartnerKey', ({ partnerId, keyId, reason }) => {
    const sessions = broker.disconnectSessions((s) => s.kind === 'partner' && s.keyId === keyId);
    if (sessions > 0) log.info({ partnerId, keyId, sessions, reason }, 'partner sessions closed');
  });
}

/**
 * Retained presence, written once per change: the changes announced during one event-loop turn
 * are kept per device (the last wins) and written on the next, each only if it differs from what
 * the retained message says. Bounded by the devices online (plus one turn's changes).
 */
export class PresenceWriter {
  readonly #write: (deviceId: string, online: boolean, at: number) => void;
  /** Devices whose retained presence says online. */
  readonly #online = new Set<string>();
  #pending = new Map<string, { online: boolean; at: number; written: boolean }>();

  constructor(write: (deviceId: string, online: boolean, at: number) => void) {
    this.#write = write;
  }

  /**
   * `written` (cluster mode: a dead node's device) writes the change even when this writer never
   * said the opposite: the retained message another node wrote says it.
   */
  changed(deviceId: string, online: boolean, at: number, written = false): void {
    if (this.#pending.size === 0) setImmediate(() => this.flush());
    this.#pending.set(deviceId, { online, at, written });
  }

  /** Cluster mode: the device's retained presence is another node's to write now. */
  forget(deviceId: string): void {
    this.#online.delete(deviceId);
  }

  flush(): void {
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [deviceId, { online, at, written }] of pending) {
      if (!written && online === this.#online.has(deviceId)) continue;
      if (online) this.#online.add(deviceId);
      else this.#online.delete(deviceId);
      this.#write(deviceId, online, at);
    }
  }
}
