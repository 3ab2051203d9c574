import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { connect, end, phoneOptions, subscribeCode } from '../support/mqtt.js';

function lengthPrefixed(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

/**
 * CONNECT with an empty ClientId and CleanSession=0, written by hand: MQTT.js and mqtt-packet
 * refuse to produce this packet, but a broken or hostile client can send it.
 */
function emptyIdPersistentConnect(username: string, password: string): Buffer {
  const variable = Buffer.concat([lengthPrefixed('MQTT'), Buffer.from([4, 0xc0, 0, 30])]); // user+password flags, clean=0
  const payload = Buffer.concat([lengthPrefixed(''), lengthPrefixed(username), lengthPrefixed(password)]);
  const remaining = variable.length + payload.length;
  if (remaining > 127) throw new Error('test packet too long for a one-byte length');
  return Buffer.concat([Buffer.from([0x10, remaining]), variable, payload]);
}

/** Sends raw bytes and resolves with the first CONNACK return code, or 'closed'. */
function rawConnect(port: number, bytes: Buffer): Promise<number | 'closed'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const parser = mqttPacket.parser();
    const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    const done = (v: number | 'closed') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    parser.on('packet', (p) => {
      if (p.cmd === 'connack') done(p.returnCode ?? -1);
    });
    socket.on('data', (d) => parser.parse(d));
    socket.on('close', () => done('closed'));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(bytes);
    });
  });
}

describe('MQTT listeners and authentication', () => {
  let now = Date.now();
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub({ now: () => now, tokenTtlMs: 60_000, limits: { maxPacketBytes: 1024 } });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('accepts a user access token over TCP and over WebSocket', async () => {
    const user = await newUser(hub);
    for (const url of [hub.mqttUrl, hub.wsUrl]) {
      const outcome = await connect(url, {
        username: 'token',
        password: user.token,
        clientId: `app/${user.id}/phone`,
      });
      expect(outcome.ok, url).toBe(true);
      if (outcome.ok) await end(outcome.client);
    }
  });

  it('refuses anonymous connections, wrong tokens and unknown usernames with CONNACK 4', async () => {
    const user = await newUser(hub);
    const cases = [
      {},
      { username: 'token' },
      { username: 'token', password: 'eu_0123456789abcdef_wrongwrongwrongwrong' },
      { username: 'token', password: `${user.token}x` },
      { username: 'someone', password: user.token },
    ];
    for (const creds of cases) {
      const outcome = await connect(hub.mqttUrl, creds);
      expect(outcome.ok, JSON.stringify(creds)).toBe(false);
      if (!outcome.ok) expect(outcome.code, JSON.stringify(creds)).toBe(4);
    }
  });

  it('refuses an expired token', async () => {
    const user = await newUser(hub);
    now += 61_000;
    const outcome = await connect(hub.wsUrl, phoneOptions(user));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.code).toBe(4);
  });

  it('refuses an empty clientId with cleanSession=0 with CONNACK 2 [MQTT-3.1.3-8]', async () => {
    const user = await newUser(hub);
    const code = await rawConnect(hub.mqttPort, emptyIdPersistentConnect('token', user.token));
    expect(code).toBe(2);
  });

  it('closes a connection whose packet exceeds the size limit, without answering it', async () => {
    const header = Buffer.from([0x10, 0xff, 0xff, 0x7f]); // CONNECT announcing ~2 MiB
    const socketClosed = await new Promise<boolean>((resolve) => {
      const socket = net.connect(hub.mqttPort, '127.0.0.1', () => socket.write(header));
      const timer = setTimeout(() => resolve(false), 5000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.on('error', () => undefined);
    });
    expect(socketClosed).toBe(true);
    const ready = await hub.request('GET', '/readyz');
    expect(ready.status).toBe(200);
  });

  it('refuses every subscription outside the user inbox', async () => {
    const user = await newUser(hub);
    const outcome = await connect(hub.mqttUrl, phoneOptions(user));
    if (!outcome.ok) throw new Error(outcome.error);
    const codes: number[] = [];
    for (const filter of [
      `app/${user.id}/replies`,
      `app/${user.id}/#`,
      '#',
      'dev/+/props',
      'app/other/replies',
      'app/+/replies',
    ]) {
      codes.push(await subscribeCode(outcome.client, filter));
    }
    expect(codes).toEqual([1, 1, 128, 128, 128, 128]);
    await end(outcome.client);
  });
});
