import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceKey } from '../../src/broker/admission.js';
import { type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { startHub, type TestHub } from '../support/hub.js';
import { connectPacket, type RawClient, rawClient } from '../support/raw-mqtt.js';

/**
 * Opens `n` sockets from `address` that send nothing; waits (bounded) until `expectClosed` of them
 * were closed by the hub, then makes sure no more are about to be: a CONNECT round trip on a fresh
 * connection from another address is answered only after the hub handled every earlier socket.
 */
async function idleSockets(
  port: number,
  address: string,
  n: number,
  expectClosed: number,
): Promise<{ open: RawClient[]; closed: number }> {
  const sockets = await Promise.all(Array.from({ length: n }, () => rawClient(port, address)));
  const closedNow = () => sockets.filter((s) => s.isClosed).length;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${closedNow()}/${expectClosed} closed`)), 5000);
    const check = () => {
      if (closedNow() < expectClosed) return;
      clearTimeout(timer);
      resolve();
    };
    for (const s of sockets) s.socket.once('close', check);
    check();
  });
  const probe = await rawClient(port, '127.0.0.254');
  probe.write(connectPacket({ clientId: 'probe', username: 'nobody', password: 'nothing' }));
  await probe.next((p) => p.cmd === 'connack');
  probe.destroy();
  await new Promise((resolve) => setImmediate(resolve));
  return { open: sockets.filter((s) => !s.isClosed), closed: closedNow() };
}

async function connack(raw: RawClient, device: ProvisionedDevice): Promise<number | undefined> {
  raw.write(connectPacket({ clientId: device.id, username: device.id, password: device.secret }));
  const ack = await raw.next((p) => p.cmd === 'connack');
  return ack && 'returnCode' in ack ? ack.returnCode : undefined;
}

describe('connections admitted per source address', () => {
  let now = Date.now();
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  beforeAll(async () => {
    hub = await startHub({
      now: () => now,
      limits: {
        maxConnections: 40,
        maxPendingPerAddress: 10,
        connectRatePerAddress: 5,
        connectTimeoutMs: 10_000,
      },
    });
    const { partner, modelId } = await partnerWithModel(hub);
    devices = await provision(hub, partner, modelId, 4);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('lets one address hold only its share of unauthenticated sockets; a device elsewhere still connects', async () => {
    const flood = await idleSockets(hub.mqttPort, '127.0.0.2', 40, 30);
    expect(flood.open).toHaveLength(10);
    expect(flood.closed).toBe(30);
    const device = await rawClient(hub.mqttPort, '127.0.0.3');
    expect(await connack(device, devices[0] as ProvisionedDevice)).toBe(0);

    // A pending socket that authenticates frees its slot for its own address.
    expect((await idleSockets(hub.mqttPort, '127.0.0.2', 1, 1)).closed).toBe(1);
    expect(await connack(flood.open[0] as RawClient, devices[1] as ProvisionedDevice)).toBe(0);
    const next = await idleSockets(hub.mqttPort, '127.0.0.2', 1, 0);
    expect(next.open).toHaveLength(1);
    for (const s of [...flood.open, ...next.open, device]) s.destroy();
  });

  it('limits the connect rate per address (five times the rate at once), others unaffected', async () => {
    now += 60_000; // full buckets
    const attempts = await Promise.all(
      Array.from({ length: 30 }, () => rawClient(hub.mqttPort, '127.0.0.4')),
    );
    const answered = await Promise.all(
      attempts.map(async (raw) => {
        raw.write(connectPacket({ clientId: 'x', username: 'nobody', password: 'nothing' }));
        const ack = await raw.next((p) => p.cmd === 'connack');
        return ack !== undefined;
      }),
    );
    expect(answered.filter(Boolean)).toHaveLength(25); // the burst; the rest closed unanswered
    const other = await rawClient(hub.mqttPort, '127.0.0.5');
    expect(await connack(other, devices[2] as ProvisionedDevice)).toBe(0);
    now += 1000; // five more tokens for 127.0.0.4
    const later = await rawClient(hub.mqttPort, '127.0.0.4');
    expect(await connack(later, devices[3] as ProvisionedDevice)).toBe(0);
    for (const s of [other, later]) s.destroy();
  });

  it('groups IPv6 sources by /64 and IPv4-mapped ones by their IPv4 address', () => {
    expect(sourceKey('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
  });
});
