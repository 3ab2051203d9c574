import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { scrapeMetrics, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import { connectPacket, eventually, rawClient } from '../support/raw-mqtt.js';

describe('presence and the devices-online gauge', () => {
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  let partnerKey: string;
  beforeAll(async () => {
    // 200 sockets at once from 127.0.0.1: more than one source may hold unauthenticated by default.
    hub = await startHub({ limits: { maxPendingPerAddress: 1000 } });
    const { partner, modelId } = await partnerWithModel(hub);
    partnerKey = partner.key;
    devices = await provision(hub, partner, modelId, 205);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('stays equal to the live sessions when 200 devices drop right after CONNECT or CONNACK', async () => {
    const stay = devices.slice(0, 5);
    const drop = devices.slice(5);
    const live = await Promise.all(stay.map((d) => connectDevice(hub.mqttUrl, d)));

    let lowest = 0;
    const gauge = () => hub.devices.onlineCount;
    const onPresence = () => {
      lowest = Math.min(lowest, gauge());
    };
    hub.events.on('presence', onPresence);
    await Promise.all(
      drop.map(async (d, i) => {
        const raw = await rawClient(hub.mqttPort);
        raw.write(connectPacket({ clientId: d.id, username: d.id, password: d.secret }));
        // Half drop as soon as the CONNACK arrives, half without waiting for it.
        if (i % 2 === 0) await raw.next((p) => p.cmd === 'connack');
        raw.destroy();
      }),
    );
    await eventually(
      async () => (await scrapeMetrics(hub)).get('ecohub_mqtt_connections') === 5,
      'sockets closed',
    );
    hub.events.off('presence', onPresence);

    expect(lowest).toBeGreaterThanOrEqual(0);
    const metrics = await scrapeMetrics(hub);
    expect(metrics.get('ecohub_devices_online')).toBe(5);
    expect(hub.devices.onlineCount).toBe(5);
    const online = await hub.request('GET', '/v1/devices?online=true&limit=500', { token: partnerKey });
    const onlineIds = (online.body['devices'] as Array<{ id: string; presence: { online: boolean } }>)
      .filter((d) => d.presence.online)
      .map((d) => d.id)
      .sort();
    expect(onlineIds).toEqual(stay.map((d) => d.id).sort());

    await Promise.all(live.map((c) => end(c)));
    await eventually(() => hub.devices.onlineCount === 0, 'devices offline');
    expect((await scrapeMetrics(hub)).get('ecohub_devices_online')).toBe(0);
  });
});
