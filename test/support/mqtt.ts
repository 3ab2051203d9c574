import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** Outcome of a connection attempt: the CONNACK return code (0 = accepted) or a closed socket. */
export type ConnectOutcome =
  | { ok: true; client: MqttClient }
  | { ok: false; code: number | undefined; error: string };

/**
 * Connects once, without reconnecting, and settles on the first CONNACK, error or close, bounded
 * by `timeoutMs` so a test never hangs.
 */
export function connect(
  url: string,
  options: IClientOptions = {},
  timeoutMs = 5000,
): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: timeoutMs, ...options });
    const timer = setTimeout(() => finish({ ok: false, code: undefined, error: 'timeout' }), timeoutMs);
    let settled = false;
    function finish(outcome: ConnectOutcome) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!outcome.ok) client.end(true);
      resolve(outcome);
    }
    client.once('connect', () => finish({ ok: true, client }));
    client.once('error', (err: Error & { code?: number }) =>
      finish({ ok: false, code: typeof err.code === 'number' ? err.code : undefined, error: err.message }),
    );
    client.once('close', () => finish({ ok: false, code: undefined, error: 'closed' }));
  });
}

export async function connected(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const outcome = await connect(url, options);
  if (!outcome.ok) throw new Error(`connect failed: ${outcome.error} (code ${outcome.code})`);
  return outcome.client;
}

export function end(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(true, {}, () => resolve()));
}

/** SUBACK return code for one filter: the granted QoS, or 128 when the broker refused it. */
export async function subscribeCode(client: MqttClient, filter: string, qos: 0 | 1 = 1): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, { qos });
    return granted[0]?.qos ?? -1;
  } catch (err) {
    const packet = (err as { packet?: { granted?: number[] } }).packet;
    if (packet?.granted?.[0] !== undefined) return packet.granted[0];
    throw err;
  }
}

let phones = 0;
/** CONNECT options for a phone of `user`: its token, and a clientId in its namespace (docs/protocol.md). */
export function phoneOptions(
  user: { id: string; token: string },
  extra: IClientOptions = {},
): IClientOptions {
  return { clientId: `app/${user.id}/test-${++phones}`, username: 'token', password: user.token, ...extra };
}
