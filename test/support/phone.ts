import type { MqttClient } from 'mqtt';
import type { PhoneReply } from '../../src/registry/control/command-schema.js';
import { connected, phoneOptions } from './mqtt.js';

/**
 * A phone on raw MQTT.js: publishes commands to app/{uid}/cmd and records every reply and every
 * message on the topics it watches, so tests can count them.
 */
export async function rawPhone(url: string, user: { id: string; token: string }) {
  const client: MqttClient = await connected(url, phoneOptions(user));
  await client.subscribeAsync(`app/${user.id}/replies`, { qos: 1 });
  const replies: PhoneReply[] = [];
  const messages: Array<{ topic: string; body: Record<string, unknown> }> = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString()) as Record<string, unknown>;
    if (topic === `app/${user.id}/replies`) replies.push(body as unknown as PhoneReply);
    else messages.push({ topic, body });
    for (const w of waiters) w();
  });
  async function until<T>(check: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        const w = () => {
          clearTimeout(t);
          waiters.delete(w);
          resolve();
        };
        waiters.add(w);
      });
    }
  }
  let marker = 0;
  return {
    client,
    replies,
    messages,
    send(command: Record<string, unknown>) {
      client.publish(`app/${user.id}/cmd`, JSON.stringify(command), { qos: 1 });
    },
    /** The reply to command `id` (the first one). */
    reply(id: string, timeoutMs = 5000): Promise<PhoneReply> {
      return until(() => replies.find((r) => r.id === id), `reply ${id}`, timeoutMs);
    },
    repliesTo(id: string): PhoneReply[] {
      return replies.filter((r) => r.id === id);
    },
    until,
    /**
     * Round trip through the hub on this connection: everything the hub sent this phone before
     * has arrived once the marker's reply is here (MQTT keeps order on one connection).
     */
    async sync(): Promise<void> {
      const id = `marker-${++marker}`;
      client.publish(
        `app/${user.id}/cmd`,
        JSON.stringify({ id, did: '0000000000000000', op: 'get', props: ['x.y'] }),
        { qos: 1 },
      );
      await until(() => replies.find((r) => r.id === id), `marker ${id}`);
    },
  };
}
