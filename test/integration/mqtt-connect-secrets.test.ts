/**
 * A connection's credentials are needed only to authenticate its CONNECT. aedes' MQTT parser kept
 * the whole CONNECT packet (password included) for the life of the connection: a device's secret,
 * or a user's access token, in the hub's memory for as long as the device stays connected, and in
 * every heap snapshot taken meanwhile. After CONNACK nothing reachable from the connection's
 * aedes client holds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, partnerWithModel, provision } from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { connected, end, phoneOptions } from '../support/mqtt.js';

/**
 * Paths from `root` to every string or byte view holding `needle`, following own data properties
 * (enumerable or not, accessors not called), array items and Map/Set entries. Closures' variables
 * and #private fields cannot be reached this way, so neither can they be searched.
 */
function holders(root: object, needle: string): { paths: string[]; visited: number } {
  const bytes = Buffer.from(needle, 'utf8');
  const seen = new Set<unknown>([root]);
  const queue: Array<[unknown, string]> = [[root, '']];
  const paths: string[] = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value === 'string') {
      if (value.includes(needle)) paths.push(path);
      return;
    }
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value))
      return;
    seen.add(value);
    queue.push([value, path]);
  };
  for (let i = 0; i < queue.length; i++) {
    const [value, path] = queue[i] as [object, string];
    if (ArrayBuffer.isView(value)) {
      if (Buffer.from(value.buffer, value.byteOffset, value.byteLength).includes(bytes)) paths.push(path);
      continue;
    }
    if (value instanceof ArrayBuffer) {
      if (Buffer.from(value).includes(bytes)) paths.push(path);
      continue;
    }
    if (value instanceof Map) {
      for (const [k, v] of value) {
        visit(k, `${path}<key>`);
        visit(v, `${path}.get(${String(k).slice(0, 40)})`);
      }
    } else if (value instanceof Set) {
      for (const v of value) visit(v, `${path}<item>`);
    }
    let keys: Array<string | symbol>;
    try {
      keys = Reflect.ownKeys(value);
    } catch {
      continue; // a revoked proxy: holds nothing reachable
    }
    for (const key of keys) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) visit(descriptor.value, `${path}.${String(key)}`);
    }
  }
  return { paths, visited: queue.length };
}

function aedesClient(hub: TestHub, clientId: string): object {
  const { clients } = hub.broker.aedes as unknown as { clients: Record<string, object | undefined> };
  const client = clients[clientId];
  if (client === undefined) throw new Error(`no aedes client ${clientId}`);
  return client;
}

describe('credentials after CONNACK', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await hub.stop();
  });

  it("keeps no reference to a device's secret once the device is connected", async () => {
    const { partner, modelId } = await partnerWithModel(hub);
    const [device] = await provision(hub, partner, modelId, 1);
    if (!device) throw new Error('no device provisioned');
    const mqtt = await connectDevice(hub.mqttUrl, device);
    await mqtt.subscribeAsync(`dev/${device.id}/cmd`, { qos: 1 });
    const client = aedesClient(hub, device.id);
    // The search works: it finds the client id (held by the client, its subscriptions...).
    expect(holders(client, device.id).paths.length).toBeGreaterThan(0);
    const found = holders(client, device.secret);
    expect(found.visited).toBeGreaterThan(100);
    expect(found.paths).toEqual([]);
    // Nor the CONNECT packet: aedes' parser keeps only what it parses later packets with.
    const { settings } = (client as { _parser: { settings: object } })._parser;
    expect(Object.keys(settings).sort()).toEqual(['bridgeMode', 'protocolVersion']);
    await end(mqtt);
  });

  it("keeps no reference to a phone's access token once the phone is connected", async () => {
    const user = await newUser(hub);
    const options = phoneOptions(user);
    const phone = await connected(hub.mqttUrl, options);
    const client = aedesClient(hub, String(options.clientId));
    expect(holders(client, String(options.clientId)).paths.length).toBeGreaterThan(0);
    expect(holders(client, user.token).paths).toEqual([]);
    await end(phone);
  });
});
