import type { Connector, ConnectParams, DeviceConnection } from './connection.js';

/** A message a device published through the memory connector. */
export interface PublishedMessage {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1;
}

export interface MemoryLink {
  /** Pass as `options.connector`. */
  readonly connector: Connector;
  /** Everything the device published, in order, across connections. */
  readonly published: PublishedMessage[];
  /** Topics the device subscribed to on its latest connection. */
  readonly subscriptions: string[];
  /** How many connections were opened. */
  readonly connections: () => number;
  /** Delivers a message to the device as the hub would (e.g. a command on `dev/{id}/cmd`). */
  deliver(topic: string, payload: string | Buffer): void;
  /** Drops the current connection as a broker or network would. */
  drop(error?: Error): void;
  /** Makes the next connection attempts fail with this error (undefined = succeed again). */
  failNext(error: Error | undefined): void;
}

/**
 * An in-memory stand-in for the hub's broker: every publish is acknowledged at once and recorded.
 * For tests of device behaviour that does not need a hub (command handling, faults, backoff).
 */
export function createMemoryLink(): MemoryLink {
  const published: PublishedMessage[] = [];
  const subscriptions: string[] = [];
  let current: ConnectParams | undefined;
  let opened = 0;
  let failure: Error | undefined;
  const close = (error: Error | undefined) => {
    const params = current;
    current = undefined;
    params?.onClose(error);
  };
  const connector: Connector = async (params) => {
    if (failure !== undefined) throw failure;
    current = params;
    opened++;
    subscriptions.length = 0;
    const connection: DeviceConnection = {
      publish: async (topic, payload, qos) => {
        if (current !== params) throw new Error('not connected');
        published.push({ topic, payload: payload.toString(), qos });
      },
      subscribe: async (topics) => {
        subscriptions.push(...topics);
        return topics.map(() => 1);
      },
      tick: () => {},
      end: async () => {
        if (current === params) close(undefined);
      },
      destroy: () => {
        if (current === params) close(new Error('connection dropped on purpose'));
      },
    };
    return connection;
  };
  return {
    connector,
    published,
    subscriptions,
    connections: () => opened,
    deliver: (topic, payload) =>
      current?.onMessage(topic, typeof payload === 'string' ? Buffer.from(payload) : payload),
    drop: (error = new Error('link lost')) => close(error),
    failNext: (error) => {
      failure = error;
    },
  };
}
