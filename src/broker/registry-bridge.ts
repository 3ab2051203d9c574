import type { Logger } from 'pino';
import type { RegistryBus } from '../registry/events.js';
import type { MqttBroker } from './broker.js';

/**
 * Turns registry events into MQTT traffic (docs/protocol.md, "Hub topics"): presence as a retained
 * message, every accepted report as a shadow update, every accepted event as a notification, and
 * revocations as disconnects. The registry only emits; this is the one place that publishes for it.
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
  const publish = (topic: string, body: unknown, retain = false) => {
    broker.publish(topic, JSON.stringify(body), { qos: 1, retain }).catch((err: unknown) => {
      log.warn({ err, topic }, 'hub publish failed');
    });
  };

  bus.on('presence', ({ deviceId, online, at }) => {
    if (!online && deps.movedAway?.(deviceId)) return;
    publish(`dev/${deviceId}/presence`, { online, at: new Date(at).toISOString() }, true);
  });
  bus.on('reported', ({ deviceId, version, at, props, seq }) => {
    publish(`dev/${deviceId}/shadow`, { version, at: new Date(at).toISOString(), seq, reported: props });
  });
  bus.on('event', ({ deviceId, event, at, seq, arguments: args }) => {
    publish(`dev/${deviceId}/notify`, { event, at: new Date(at).toISOString(), seq, arguments: args });
  });
  bus.on('revoke', ({ deviceId, reason }) => {
    if (broker.disconnect(deviceId)) log.info({ deviceId, reason }, 'device disconnected');
  });
  bus.on('revokeUser', ({ userId, tokenId, reason }) => {
    const sessions = broker.disconnectUser(userId, tokenId);
    if (sessions > 0) log.info({ userId, sessions, reason }, 'user sessions closed');
  });
}
