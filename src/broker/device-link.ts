import type { Client } from 'aedes';
import type { DeviceLink, DeviceObserver, DeviceTopic } from '../certification/device-link.js';
import type { MqttBroker } from './broker.js';

const UP_TOPICS = new Set<string>(['props', 'events', 'replies', 'ota/progress']);

/**
 * The certification harness's view of the broker (src/certification/device-link.ts): raw device
 * traffic from aedes' events, commands published as the hub, disconnects and withheld CONNACKs.
 * Observers exist only while a run is in progress; one map lookup per message otherwise.
 */
export function brokerDeviceLink(broker: MqttBroker, isOnline: (deviceId: string) => boolean): DeviceLink {
  const watchers = new Map<string, Set<DeviceObserver>>();
  const each = (client: Client | null | undefined, fn: (o: DeviceObserver) => void) => {
    if (!client || watchers.size === 0) return;
    const set = watchers.get(client.id);
    if (set !== undefined) for (const observer of set) fn(observer);
  };
  const { aedes } = broker;
  aedes.on('publish', (packet, client) => {
    if (!client || watchers.size === 0) return;
    const prefix = `dev/${client.id}/`;
    if (!packet.topic.startsWith(prefix)) return;
    const sub = packet.topic.slice(prefix.length);
    if (!UP_TOPICS.has(sub)) return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const at = Date.now();
    each(client, (o) => o.published?.(sub as DeviceTopic, payload, at));
  });
  aedes.on('clientReady', (client) => each(client, (o) => o.online?.(Date.now())));
  aedes.on('clientDisconnect', (client) => each(client, (o) => o.offline?.(Date.now())));
  aedes.on('subscribe', (subscriptions, client) =>
    each(client, (o) =>
      o.subscribed?.(
        subscriptions.map((s) => s.topic),
        Date.now(),
      ),
    ),
  );

  return {
    watch(deviceId, observer) {
      let set = watchers.get(deviceId);
      if (set === undefined) {
        set = new Set();
        watchers.set(deviceId, set);
      }
      set.add(observer);
      return () => {
        set.delete(observer);
        if (set.size === 0) watchers.delete(deviceId);
      };
    },
    send: (deviceId, command) => broker.publish(`dev/${deviceId}/cmd`, JSON.stringify(command), { qos: 1 }),
    disconnect: (deviceId) => broker.disconnect(deviceId),
    isOnline,
    holdConnects: (deviceId, count, attempt) => broker.connectGate.hold(deviceId, count, attempt),
    releaseConnects: (deviceId) => broker.connectGate.release(deviceId),
  };
}
