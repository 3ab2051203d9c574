import mqtt from 'mqtt';
import { ConnackError, LeanMqttClient } from './lean-client.js';

/**
 * What a simulated device needs from an MQTT connection. Two implementations: the lean client
 * (plain TCP, shared timers, used for fleets) and MQTT.js (WebSocket and TLS URLs). Tests may
 * inject their own to drive a device without a broker.
 */
export interface DeviceConnection {
  /** QoS 1 resolves on PUBACK. */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1): Promise<void>;
  /** SUBACK return codes, one per topic (128 = refused). */
  subscribe(topics: readonly string[]): Promise<readonly number[]>;
  /** Called from the device's (shared) ticker: keepalive pings and their timeout. */
  tick(now: number): void;
  /** A clean disconnect: DISCONNECT, then close. */
  end(): Promise<void>;
  /** Drops the link without DISCONNECT, like a crash or a lost radio link. */
  destroy(): void;
}

export interface ConnectParams {
  readonly url: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  readonly keepaliveSeconds: number;
  readonly connectTimeoutMs: number;
  readonly localAddress?: string | undefined;
  readonly onMessage: (topic: string, payload: Buffer) => void;
  /** Once per connection that was established, when it is gone; `error` unless it was `end()`. */
  readonly onClose: (error: Error | undefined) => void;
}

/** Opens one connection; rejects on a network error or a refused CONNACK (`ConnackError`). */
export type Connector = (params: ConnectParams) => Promise<DeviceConnection>;

export type ClientKind = 'lean' | 'mqttjs';

/** The lean client for `mqtt://` and `tcp://`, MQTT.js for everything else (`ws://`, `wss://`, `mqtts://`). */
export function defaultConnector(url: string, kind?: ClientKind): Connector {
  const protocol = new URL(url).protocol;
  const lean = protocol === 'mqtt:' || protocol === 'tcp:';
  if (kind === 'lean' && !lean) throw new Error(`the lean client speaks plain TCP only, not ${protocol}`);
  return (kind ?? (lean ? 'lean' : 'mqttjs')) === 'lean' ? connectLean : connectMqttJs;
}

export const connectLean: Connector = async (params) => {
  const url = new URL(params.url);
  let opened = false;
  const client = new LeanMqttClient({
    host: url.hostname,
    port: url.port === '' ? 1883 : Number(url.port),
    clientId: params.clientId,
    username: params.username,
    password: params.password,
    keepalive: params.keepaliveSeconds,
    clean: true,
    connectTimeoutMs: params.connectTimeoutMs,
    ...(params.localAddress !== undefined ? { localAddress: params.localAddress } : {}),
    onMessage: (topic, payload) => params.onMessage(topic, payload),
    onClose: (error) => {
      if (opened) params.onClose(error);
    },
  });
  await client.connect();
  opened = true;
  return {
    publish: (topic, payload, qos) => client.publish(topic, payload, qos),
    subscribe: (topics) => client.subscribe(topics.map((topic) => ({ topic, qos: 1 }))),
    tick: (now) => client.tick(now),
    end: () => client.end(),
    destroy: () => client.destroy(new Error('connection dropped on purpose')),
  };
};

export const connectMqttJs: Connector = (params) =>
  new Promise((resolve, reject) => {
    const client = mqtt.connect(params.url, {
      clientId: params.clientId,
      username: params.username,
      password: params.password,
      keepalive: params.keepaliveSeconds,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: params.connectTimeoutMs,
      ...(params.localAddress !== undefined ? { localAddress: params.localAddress } : {}),
    });
    let opened = false;
    let ending = false;
    let lastError: Error | undefined;
    client.on('error', (error: Error & { code?: unknown }) => {
      lastError = error;
      if (opened) return;
      client.end(true);
      reject(typeof error.code === 'number' ? new ConnackError(error.code) : error);
    });
    client.on('message', (topic, payload) => params.onMessage(topic, payload));
    client.once('close', () => {
      if (!opened) {
        reject(lastError ?? new Error('connection closed before CONNACK'));
        return;
      }
      params.onClose(ending ? undefined : (lastError ?? new Error('connection closed by the broker')));
    });
    client.once('connect', () => {
      opened = true;
      resolve({
        publish: async (topic, payload, qos) => {
          await client.publishAsync(topic, payload, { qos });
        },
        subscribe: async (topics) => {
          const granted = await client.subscribeAsync([...topics], { qos: 1 });
          return granted.map((g) => g.qos);
        },
        tick: () => {},
        end: async () => {
          ending = true;
          await client.endAsync();
        },
        destroy: () => {
          client.end(true);
        },
      });
    });
  });
