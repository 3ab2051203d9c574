import { randomBytes } from 'node:crypto';

/** A decided case, as the REST view lists it and the MQTT progress announces it. */
export interface DecidedCase {
  readonly id: string;
  readonly verdict: string;
  readonly reasons: readonly string[];
  readonly durationMs: number;
}

export interface WatchOptions {
  readonly mqttUrl: string;
  /** A partner API key: the MQTT identity (docs/protocol.md, "Partners"). */
  readonly apiKey: string;
  readonly partnerId: string;
  readonly runId: string;
  /** The run's REST view: read once after subscribing, for what was decided before. */
  readonly decided: () => Promise<{ state: string; cases?: DecidedCase[] }>;
  /** Each decided case; `revised` when the run changed a verdict it had announced. */
  readonly onCase: (c: DecidedCase, revised: boolean) => void;
  /** Longest wait for the run to end. */
  readonly timeoutMs: number;
}

/**
 * Follows a certification run over MQTT (docs/certification.md, "Watching a run"): subscribes to
 * the run's topics, reads what was decided before over REST, then prints each case as the hub
 * announces it, until the run's final state. Rejects when the connection fails or closes early
 * (the caller falls back to REST).
 */
export async function watchOverMqtt(o: WatchOptions): Promise<void> {
  const { default: mqtt } = await import('mqtt');
  const client = mqtt.connect(o.mqttUrl, {
    clientId: `partner/${o.partnerId}/cli-${randomBytes(4).toString('hex')}`,
    username: 'partner',
    password: o.apiKey,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('the MQTT connection closed before CONNACK')));
    });
    const base = `partner/${o.partnerId}/cert-runs/${o.runId}`;
    const granted = await client.subscribeAsync(`${base}/#`, { qos: 1 });
    if (granted[0]?.qos === 128) throw new Error(`the hub refused the subscription to ${base}/#`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the run did not finish within ${o.timeoutMs} ms`)),
        o.timeoutMs,
      );
      const finish = (err?: Error) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      client.on('message', (topic, payload) => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        } catch {
          return;
        }
        if (topic === `${base}/cases` && body['event'] === 'finished') {
          o.onCase(
            {
              id: String(body['caseId']),
              verdict: String(body['verdict']),
              reasons: Array.isArray(body['reasons']) ? body['reasons'].map(String) : [],
              durationMs: Number(body['durationMs']),
            },
            body['revised'] === true,
          );
        } else if (topic === `${base}/state` && body['event'] === 'finished') finish();
      });
      client.once('close', () => finish(new Error('the MQTT connection closed')));
      o.decided().then((run) => {
        for (const c of run.cases ?? []) o.onCase(c, false);
        if (run.state !== 'running') finish();
      }, finish);
    });
  } finally {
    client.end(true);
  }
}
