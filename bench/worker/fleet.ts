import { BenchClient } from '../client.js';
import type { ConnectOutcome, Endpoint, FleetDevice, IngestCounts } from '../generator-protocol.js';

/** How long one connection attempt may take, TCP handshake to CONNACK. */
const CONNECT_TIMEOUT_MS = 15_000;
const MAX_ERRORS_KEPT = 5;

interface IngestState {
  readonly window: number;
  readonly topics: Buffer[];
  readonly inflight: Int32Array;
  readonly seq: Float64Array;
  running: boolean;
  sent: number;
  acked: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The devices one generator process holds: connects them with a bounded number of connects in
 * flight, drops and reconnects them all (reconnect storm), and drives their QoS 1 reports.
 */
export class Fleet {
  #endpoint: Endpoint | undefined;
  #devices: readonly FleetDevice[] = [];
  #localAddresses: readonly string[] = [];
  #clients: Array<BenchClient | undefined> = [];
  #ingest: IngestState | undefined;

  async connect(
    endpoint: Endpoint,
    devices: readonly FleetDevice[],
    localAddresses: readonly string[],
    window: number,
    attempts: number,
  ): Promise<ConnectOutcome> {
    this.disconnectAll();
    this.#endpoint = endpoint;
    this.#devices = devices;
    this.#localAddresses = localAddresses;
    this.#clients = new Array<BenchClient | undefined>(devices.length).fill(undefined);
    return this.#connectAll(window, attempts);
  }

  /** Drops every connection at once, then connects all again; `ms` covers both. */
  async storm(window: number, attempts: number): Promise<ConnectOutcome> {
    const started = performance.now();
    for (const client of this.#clients) client?.destroy();
    this.#clients.fill(undefined);
    const outcome = await this.#connectAll(window, attempts);
    return { ...outcome, ms: performance.now() - started };
  }

  disconnectAll(): number {
    this.#stopTimer();
    this.#ingest = undefined;
    let closed = 0;
    for (const client of this.#clients) {
      if (client === undefined) continue;
      client.destroy();
      closed++;
    }
    this.#clients = [];
    return closed;
  }

  startIngest(window: number, ratePerSecond: number | undefined): number {
    this.#stopTimer();
    const n = this.#devices.length;
    const base = Date.now() * 1000;
    const state: IngestState = {
      window,
      topics: this.#devices.map((d) => Buffer.from(`dev/${d.did}/props`)),
      inflight: new Int32Array(n),
      // protocol.md: seq must never repeat for a device; ms-since-epoch x 1000 leaves room for
      // 1000 reports per ms per device before the next run's base, and stays below 2^53.
      seq: new Float64Array(n).fill(base),
      running: true,
      sent: 0,
      acked: 0,
      timer: undefined,
    };
    this.#ingest = state;
    if (ratePerSecond === undefined) {
      for (let i = 0; i < n; i++) for (let k = 0; k < window; k++) this.#send(state, i);
    } else {
      this.#paced(state, ratePerSecond);
    }
    return n;
  }

  ingestCounts(): IngestCounts {
    const s = this.#ingest;
    if (s === undefined) return { sent: 0, acked: 0, inflight: 0 };
    let inflight = 0;
    for (const v of s.inflight) inflight += v;
    return { sent: s.sent, acked: s.acked, inflight };
  }

  /** Stops sending new reports and waits (bounded) for the ones in flight to be acknowledged. */
  async stopIngest(drainMs: number): Promise<IngestCounts> {
    const s = this.#ingest;
    if (s === undefined) return this.ingestCounts();
    s.running = false;
    this.#stopTimer();
    const deadline = Date.now() + drainMs;
    while (this.ingestCounts().inflight > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.ingestCounts();
  }

  #paced(state: IngestState, ratePerSecond: number): void {
    // A token bucket refilled every 5 ms; at most 20 ms of reports at once after a stall.
    const burst = Math.max(1, ratePerSecond * 0.02);
    let tokens = 0;
    let last = performance.now();
    let cursor = 0;
    const n = this.#devices.length;
    state.timer = setInterval(() => {
      const now = performance.now();
      tokens = Math.min(burst, tokens + ((now - last) * ratePerSecond) / 1000);
      last = now;
      let idle = 0;
      while (tokens >= 1 && idle < n) {
        const i = cursor;
        cursor = (cursor + 1) % n;
        if ((state.inflight[i] ?? 0) >= state.window || this.#clients[i]?.connected !== true) {
          idle++;
          continue;
        }
        idle = 0;
        this.#send(state, i);
        tokens -= 1;
      }
    }, 5);
  }

  #send(state: IngestState, i: number): void {
    const client = this.#clients[i];
    const topic = state.topics[i];
    if (client === undefined || topic === undefined || !client.connected) return;
    const seq = (state.seq[i] ?? 0) + 1;
    state.seq[i] = seq;
    client.publish1(topic, '{"seq":' + seq + ',"props":{"light.brightness":' + ((seq % 100) + 1) + '}}');
    state.inflight[i] = (state.inflight[i] ?? 0) + 1;
    state.sent++;
  }

  #acked(i: number, client: BenchClient): void {
    const state = this.#ingest;
    if (state === undefined || this.#clients[i] !== client) return;
    state.inflight[i] = Math.max(0, (state.inflight[i] ?? 0) - 1);
    state.acked++;
    if (state.running && state.timer === undefined) this.#send(state, i);
  }

  #stopTimer(): void {
    const s = this.#ingest;
    if (s?.timer !== undefined) {
      clearInterval(s.timer);
      s.timer = undefined;
    }
  }

  async #connectAll(window: number, attempts: number): Promise<ConnectOutcome> {
    const endpoint = this.#endpoint;
    if (endpoint === undefined) throw new Error('connect first');
    const started = performance.now();
    const errors: string[] = [];
    let next = 0;
    let connected = 0;
    let failed = 0;
    const one = async (i: number): Promise<void> => {
      const device = this.#devices[i];
      if (device === undefined) return;
      const localAddress = this.#localAddresses[i % Math.max(1, this.#localAddresses.length)];
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const client: BenchClient = new BenchClient({
          host: endpoint.host,
          port: endpoint.port,
          clientId: device.clientId,
          ...(device.username !== undefined ? { username: device.username } : {}),
          ...(device.password !== undefined ? { password: device.password } : {}),
          ...(localAddress !== undefined ? { localAddress } : {}),
          connectTimeoutMs: CONNECT_TIMEOUT_MS,
          onPuback: () => this.#acked(i, client),
          onClose: () => {
            const s = this.#ingest;
            if (s !== undefined && this.#clients[i] === client) s.inflight[i] = 0;
          },
        });
        try {
          await client.connect();
          this.#clients[i] = client;
          connected++;
          return;
        } catch (error) {
          if (attempt === attempts) {
            failed++;
            if (errors.length < MAX_ERRORS_KEPT)
              errors.push(error instanceof Error ? error.message : String(error));
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    };
    const lane = async (): Promise<void> => {
      while (next < this.#devices.length) await one(next++);
    };
    await Promise.all(Array.from({ length: Math.max(1, window) }, lane));
    return { connected, failed, errors, ms: performance.now() - started };
  }
}
