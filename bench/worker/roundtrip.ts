import { BenchClient } from '../client.js';
import type { Endpoint, RoundTripOutcome, RoundTripParties } from '../generator-protocol.js';
import type { PublishView } from '../wire.js';

function idOf(payload: Buffer): { id: string | undefined; status: string | undefined } {
  try {
    const body: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof body !== 'object' || body === null) return { id: undefined, status: undefined };
    const id = (body as Record<string, unknown>)['id'];
    const status = (body as Record<string, unknown>)['status'];
    return {
      id: typeof id === 'string' ? id : undefined,
      status: typeof status === 'string' ? status : undefined,
    };
  } catch {
    return { id: undefined, status: undefined };
  }
}

/**
 * A phone and a device in one process: the phone sends a command, the device answers it with
 * `{id, status: 'ok', data: {}}`, the phone times the reply. One command in flight at a time.
 */
export class RoundTrips {
  #phone: BenchClient | undefined;
  #device: BenchClient | undefined;
  #parties: RoundTripParties | undefined;
  #commandTopic = Buffer.alloc(0);
  #waiting: { id: string; done: (status: string | undefined) => void } | undefined;

  async setup(endpoint: Endpoint, parties: RoundTripParties, deviceEndpoint = endpoint): Promise<void> {
    this.close();
    this.#parties = parties;
    this.#commandTopic = Buffer.from(parties.phoneCommandTopic);
    const replyTopic = Buffer.from(parties.deviceReplyTopic);
    const device: BenchClient = new BenchClient({
      host: deviceEndpoint.host,
      port: deviceEndpoint.port,
      ...parties.device,
      connectTimeoutMs: 10_000,
      onPublish: (message: PublishView) => {
        if (message.topic !== parties.deviceCommandTopic) return;
        const { id } = idOf(message.payload);
        if (id === undefined) return;
        device.publish1(replyTopic, JSON.stringify({ id, status: 'ok', data: {} }));
      },
    });
    const phone = new BenchClient({
      host: endpoint.host,
      port: endpoint.port,
      ...parties.phone,
      connectTimeoutMs: 10_000,
      onPublish: (message: PublishView) => {
        if (message.topic !== parties.phoneReplyTopic) return;
        const { id, status } = idOf(message.payload);
        const waiting = this.#waiting;
        if (waiting !== undefined && id === waiting.id) {
          this.#waiting = undefined;
          waiting.done(status);
        }
      },
    });
    await device.connect();
    this.#device = device;
    await phone.connect();
    this.#phone = phone;
    const [deviceGrant] = await device.subscribe([parties.deviceCommandTopic]);
    const [phoneGrant] = await phone.subscribe([parties.phoneReplyTopic]);
    if (deviceGrant !== 1 || phoneGrant !== 1) {
      throw new Error(`subscriptions refused: device ${deviceGrant}, phone ${phoneGrant}`);
    }
  }

  /**
   * `warmup` unrecorded round trips (JIT, caches; at most a quarter of the time limit), then up
   * to `count` recorded ones within `timeLimitMs`.
   */
  async run(
    did: string,
    idPrefix: string,
    warmup: number,
    count: number,
    timeLimitMs: number,
    replyTimeoutMs: number,
  ): Promise<RoundTripOutcome> {
    const samplesUs: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    let n = 0;
    const phase = async (limit: number, ms: number, record: boolean) => {
      const deadline = performance.now() + ms;
      for (let k = 0; k < limit && performance.now() < deadline; k++) {
        const id = `${idPrefix}-${n}`;
        const { status, us } = await this.#once(did, id, n++ % 2 === 0, replyTimeoutMs);
        if (status === 'ok') {
          if (record) samplesUs.push(us);
          continue;
        }
        errors++;
        firstError ??= `command ${id}: ${status ?? 'reply without status'}`;
        if (this.#phone?.connected !== true) throw new Error(`phone disconnected (${firstError})`);
      }
    };
    await phase(warmup, timeLimitMs / 4, false);
    await phase(count, timeLimitMs, true);
    return { samplesUs, errors, firstError };
  }

  #once(
    did: string,
    id: string,
    on: boolean,
    replyTimeoutMs: number,
  ): Promise<{ status: string | undefined; us: number }> {
    const phone = this.#phone;
    const parties = this.#parties;
    if (phone === undefined || parties === undefined) throw new Error('rtSetup first');
    const payload = JSON.stringify({ id, did, op: 'set', props: { 'light.on': on } });
    const started = process.hrtime.bigint();
    return new Promise((resolve) => {
      const finish = (status: string | undefined) =>
        resolve({ status, us: Number(process.hrtime.bigint() - started) / 1000 });
      const timer = setTimeout(() => {
        this.#waiting = undefined;
        finish('timeout');
      }, replyTimeoutMs);
      this.#waiting = {
        id,
        done: (status) => {
          clearTimeout(timer);
          finish(status);
        },
      };
      phone.publish1(this.#commandTopic, payload);
    });
  }

  close(): void {
    this.#phone?.destroy();
    this.#device?.destroy();
    this.#phone = undefined;
    this.#device = undefined;
  }
}
