import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { connectPacket, field, packet, type RawClient, rawClient } from '../support/raw-mqtt.js';

const id16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const subscribe = (msgId: number, ...filters: Array<string | Buffer>) =>
  packet(0x82, Buffer.concat([id16(msgId), ...filters.flatMap((f) => [field(f), Buffer.from([1])])]));
const unsubscribe = (msgId: number, ...filters: Array<string | Buffer>) =>
  packet(0xa2, Buffer.concat([id16(msgId), ...filters.map((f) => field(f))]));
const publishQos1 = (topic: string, msgId: number, payload: string) =>
  packet(0x32, Buffer.concat([field(topic), id16(msgId), Buffer.from(payload)]));

/** The hub's answer to one CONNECT: the CONNACK code (if any), and whether it closed the connection. */
async function answerTo(
  port: number,
  connect: Buffer,
): Promise<{ connack: number | undefined; closed: boolean }> {
  const raw = await rawClient(port);
  raw.write(connect);
  const ack = await raw.next((p) => p.cmd === 'connack');
  const connack = ack && 'returnCode' in ack ? ack.returnCode : undefined;
  if (connack === 0) {
    raw.destroy();
    return { connack, closed: false };
  }
  await raw.closed();
  return { connack, closed: true };
}

describe('MQTT 3.1.1 conformance, with raw packets', () => {
  let hub: TestHub;
  let device: ProvisionedDevice;
  let user: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    hub = await startHub();
    const { partner, modelId } = await partnerWithModel(hub);
    [device] = (await provision(hub, partner, modelId, 1)) as [ProvisionedDevice];
    user = await newUser(hub);
  });
  afterAll(async () => {
    await hub.stop();
  });
  const asDevice = (o: Partial<Parameters<typeof connectPacket>[0]> = {}) =>
    connectPacket({ clientId: device.id, username: device.id, password: device.secret, ...o });
  const asPhone = (o: Partial<Parameters<typeof connectPacket>[0]> = {}) =>
    connectPacket({ clientId: `app/${user.id}/raw`, username: 'token', password: user.token, ...o });

  /** A phone session over a raw socket, CONNACK 0 received. */
  async function phoneSession(): Promise<RawClient> {
    const raw = await rawClient(hub.mqttPort);
    raw.write(asPhone());
    const ack = await raw.next((p) => p.cmd === 'connack');
    expect(ack && 'returnCode' in ack ? ack.returnCode : undefined).toBe(0);
    return raw;
  }

  it('accepts MQTT 3.1.1 ("MQTT", 4) and MQTT 3.1 ("MQIsdp", 3)', async () => {
    expect(await answerTo(hub.mqttPort, asDevice())).toEqual({ connack: 0, closed: false });
    expect(await answerTo(hub.mqttPort, asDevice({ protocolName: 'MQIsdp', level: 3 }))).toEqual({
      connack: 0,
      closed: false,
    });
  });

  it('answers an unsupported protocol level with CONNACK 0x01, then closes [MQTT-3.1.2-2]', async () => {
    for (const level of [0, 2, 3, 5, 6, 0x7f]) {
      expect(await answerTo(hub.mqttPort, asDevice({ level })), `level ${level}`).toEqual({
        connack: 1,
        closed: true,
      });
    }
    expect(await answerTo(hub.mqttPort, asDevice({ protocolName: 'MQIsdp', level: 5 }))).toEqual({
      connack: 1,
      closed: true,
    });
  });

  it('closes without CONNACK on a protocol name that does not match its level [MQTT-3.1.2-1]', async () => {
    expect(await answerTo(hub.mqttPort, asDevice({ protocolName: 'MQIsdp', level: 4 }))).toEqual({
      connack: undefined,
      closed: true,
    });
    expect(await answerTo(hub.mqttPort, asDevice({ protocolName: 'MQTX' }))).toEqual({
      connack: undefined,
      closed: true,
    });
  });

  it('closes on ill-formed UTF-8 or U+0000 in a client id [MQTT-1.5.3-1] [MQTT-1.5.3-2]', async () => {
    const bad = [
      Buffer.from([0x61, 0xc3, 0x28]), // a truncated two-byte sequence
      Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate (U+D800)
      Buffer.from([0xc0, 0xaf]), // an overlong '/'
      Buffer.from('ab\u0000cd', 'utf8'),
    ];
    for (const clientId of bad) {
      expect(await answerTo(hub.mqttPort, asPhone({ clientId })), clientId.toString('hex')).toEqual({
        connack: undefined,
        closed: true,
      });
    }
    // A well-formed non-ASCII id is only refused by the namespace rule, with CONNACK 2.
    expect(await answerTo(hub.mqttPort, asPhone({ clientId: `app/${user.id}/ü` }))).toEqual({
      connack: 2,
      closed: true,
    });
  });

  it('refuses a client id over 128 bytes with CONNACK 2, before looking at credentials', async () => {
    const ok = `app/${user.id}/${'x'.repeat(64)}`;
    expect(await answerTo(hub.mqttPort, asPhone({ clientId: ok }))).toEqual({ connack: 0, closed: false });
    const stranger = { username: 'nobody', password: 'nothing' };
    expect(await answerTo(hub.mqttPort, asPhone({ clientId: 'a'.repeat(128), ...stranger }))).toEqual({
      connack: 4,
      closed: true,
    });
    for (const length of [129, 60_000]) {
      expect(
        await answerTo(hub.mqttPort, asPhone({ clientId: 'a'.repeat(length), ...stranger })),
        `${length}`,
      ).toEqual({
        connack: 2,
        closed: true,
      });
    }
  });

  it('closes on ill-formed UTF-8 or U+0000 in a topic filter [MQTT-1.5.3-1] [MQTT-1.5.3-2]', async () => {
    for (const filter of [Buffer.from([0x61, 0x2f, 0xff]), Buffer.from(`app/${user.id}/\u0000`, 'utf8')]) {
      const raw = await phoneSession();
      raw.write(subscribe(1, filter));
      expect(await raw.next((p) => p.cmd === 'suback')).toBeUndefined();
      expect(raw.isClosed).toBe(true);
    }
    const raw = await phoneSession();
    raw.write(unsubscribe(2, Buffer.from([0x61, 0xfe])));
    expect(await raw.next((p) => p.cmd === 'unsuback')).toBeUndefined();
  });

  it('closes on SUBSCRIBE or UNSUBSCRIBE without a filter [MQTT-3.8.3-3] [MQTT-3.10.3-2]', async () => {
    let raw = await phoneSession();
    raw.write(unsubscribe(3));
    expect(await raw.next((p) => p.cmd === 'unsuback')).toBeUndefined();
    raw = await phoneSession();
    raw.write(subscribe(4));
    expect(await raw.next((p) => p.cmd === 'suback')).toBeUndefined();
    // With a filter, both are answered.
    raw = await phoneSession();
    raw.write(subscribe(5, `app/${user.id}/replies`));
    expect(await raw.next((p) => p.cmd === 'suback')).toMatchObject({ messageId: 5, granted: [1] });
    raw.write(unsubscribe(6, `app/${user.id}/replies`));
    expect(await raw.next((p) => p.cmd === 'unsuback')).toMatchObject({ messageId: 6 });
    raw.destroy();
  });

  it('closes on packet identifier 0 in a QoS 1 PUBLISH, SUBSCRIBE or UNSUBSCRIBE [MQTT-2.3.1-1]', async () => {
    const cmd = JSON.stringify({ id: 'c', did: device.id, op: 'get', props: ['light.on'] });
    let raw = await phoneSession();
    raw.write(publishQos1(`app/${user.id}/cmd`, 0, cmd));
    expect(await raw.next((p) => p.cmd === 'puback')).toBeUndefined();
    raw = await phoneSession();
    raw.write(subscribe(0, `app/${user.id}/replies`));
    expect(await raw.next((p) => p.cmd === 'suback')).toBeUndefined();
    raw = await phoneSession();
    raw.write(unsubscribe(0, `app/${user.id}/replies`));
    expect(await raw.next((p) => p.cmd === 'unsuback')).toBeUndefined();
    raw = await phoneSession();
    raw.write(publishQos1(`app/${user.id}/cmd`, 7, cmd));
    expect(await raw.next((p) => p.cmd === 'puback')).toMatchObject({ messageId: 7 });
    raw.destroy();
  });

  it('keeps serving after all of it', async () => {
    expect((await hub.request('GET', '/readyz')).status).toBe(200);
    expect(await answerTo(hub.mqttPort, asDevice())).toEqual({ connack: 0, closed: false });
  });
});
