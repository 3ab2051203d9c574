import { BenchClient } from '../client.js';
import type { ClusterDevice, ClusterStatus, Endpoint } from '../generator-protocol.js';

/** From opening the socket to CONNACK. */
const CONNECT_TIMEOUT_MS = 15_000;
const MAX_ERRORS_KEPT = 5;
const MAX_FAILURE_KINDS = 24;

/**
 * How long a device waits before its next connect attempt, as device firmware does it: a device
 * that lost its connection waits a random 0-1 s first (every device of a dead node notices at
 * once), then after each failed attempt an exponential backoff from 250 ms up to 4 s, with half
 * of it random (jitter), so that refused devices do not come back in lockstep.
 */
function backoffMs(failures: number): number {
  if (failures === 0) return Math.random() * 1000;
  const ceiling = Math.min(4000, 250 * 2 ** (failures - 1));
  return ceiling * (0.5 + Math.random() * 0.5);
}

/** SUBACK's return codes, or an error when none came within the connect bound (the socket closed). */
function suback(client: BenchClient, topics: readonly string[]): Promise<number[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      client.destroy();
      reject(new Error(`no SUBACK within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
  });
  return Promise.race([client.subscribe(topics), late]).finally(() => clearTimeout(timer));
}

interface Ingest {
  readonly devices: number;
  readonly window: number;
  running: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The devices one generator process holds against a cluster of nodes. Each device tries its home
 * node first; a failed attempt (node down: connection refused; node full: closed before CONNACK)
 * moves it to the next node, round robin. With healing on, a device whose connection closes
 * reconnects the same way, starting with the node after the one it lost, and never gives up:
 * what an operator's fleet does behind a load balancer that skips dead and full nodes.
 */
export class ClusterFleet {
  #endpoints: readonly Endpoint[] = [];
  #devices: readonly ClusterDevice[] = [];
  #local: readonly string[] = [];
  #clients: Array<BenchClient | undefined> = [];
  /** Endpoint each device tries next (or is on). */
  #next = new Int32Array(0);
  #failures = new Int32Array(0);
  /** 1 while a device reconnects after losing its connection (it never gives up then). */
  #lost = new Uint8Array(0);
  #inflight = new Int32Array(0);
  #sentBy = new Int32Array(0);
  #ackedBy = new Int32Array(0);
  #seq = new Float64Array(0);
  #topics: Buffer[] = [];
  #queue: number[] = [];
  #connecting = 0;
  #window = 1;
  #attempts = 1;
  #healing = false;
  #subscribe = false;
  #closed = false;
  #ingest: Ingest | undefined;
  #idle: Array<() => void> = [];
  #s = { lost: 0, reconnected: 0, failedAttempts: 0, gaveUp: 0, lastConnectAt: 0, sent: 0, acked: 0 };
  #errors: string[] = [];
  /** `endpoint|reason` -> failed attempts: why connects fail, per node. */
  #failuresBy = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();

  async connect(
    endpoints: readonly Endpoint[],
    devices: readonly ClusterDevice[],
    localAddresses: readonly string[],
    window: number,
    attempts: number,
    subscribe = false,
  ): Promise<ClusterStatus & { ms: number }> {
    this.close();
    this.#closed = false;
    this.#subscribe = subscribe;
    const started = performance.now();
    const n = devices.length;
    this.#endpoints = endpoints;
    this.#devices = devices;
    this.#local = localAddresses;
    this.#clients = new Array<BenchClient | undefined>(n).fill(undefined);
    this.#next = Int32Array.from(devices, (d) => d.home % endpoints.length);
    this.#failures = new Int32Array(n);
    this.#failuresBy.clear();
    this.#lost = new Uint8Array(n);
    this.#inflight = new Int32Array(n);
    this.#sentBy = new Int32Array(n);
    this.#ackedBy = new Int32Array(n);
    // protocol.md: seq must never repeat for a device; ms since the epoch x 1000 stays below 2^53.
    this.#seq = new Float64Array(n).fill(Date.now() * 1000);
    this.#topics = devices.map((d) => Buffer.from(`dev/${d.did}/props`));
    this.#window = Math.max(1, window);
    this.#attempts = Math.max(1, attempts);
    this.#queue = devices.map((_, i) => i);
    const done = new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#pump();
    await done;
    return { ...this.status(), ms: performance.now() - started };
  }

  heal(on: boolean): ClusterStatus {
    this.#healing = on;
    return this.status();
  }

  status(): ClusterStatus {
    const perEndpoint = this.#endpoints.map(() => 0);
    let connected = 0;
    let inflight = 0;
    for (let i = 0; i < this.#clients.length; i++) {
      if (this.#clients[i]?.connected !== true) continue;
      connected++;
      const at = this.#next[i] ?? 0;
      perEndpoint[at] = (perEndpoint[at] ?? 0) + 1;
    }
    for (const v of this.#inflight) inflight += v;
    return {
      devices: this.#devices.length,
      connected,
      perEndpoint,
      ...this.#s,
      inflight,
      errors: [...this.#errors],
      failures: [...this.#failuresBy].map(([key, count]) => {
        const cut = key.indexOf('|');
        return { endpoint: Number(key.slice(0, cut)), reason: key.slice(cut + 1), count };
      }),
    };
  }

  startIngest(devices: number, window: number, ratePerSecond: number | undefined): number {
    this.#stopIngestTimer();
    const n = Math.min(devices, this.#devices.length);
    const ingest: Ingest = { devices: n, window: Math.max(1, window), running: true, timer: undefined };
    this.#ingest = ingest;
    if (ratePerSecond === undefined) {
      for (let i = 0; i < n; i++) for (let k = 0; k < ingest.window; k++) this.#send(i);
    } else {
      this.#paced(ingest, ratePerSecond);
    }
    return n;
  }

  /** Stops new reports and waits (bounded) for the ones in flight on live connections. */
  async stopIngest(drainMs: number): Promise<ClusterStatus> {
    const ingest = this.#ingest;
    if (ingest !== undefined) ingest.running = false;
    this.#stopIngestTimer();
    const deadline = Date.now() + drainMs;
    while (this.status().inflight > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.status();
  }

  perDevice(): { dids: string[]; sent: number[]; acked: number[] } {
    return { dids: this.#devices.map((d) => d.did), sent: [...this.#sentBy], acked: [...this.#ackedBy] };
  }

  close(): void {
    this.#closed = true;
    this.#healing = false;
    this.#stopIngestTimer();
    this.#ingest = undefined;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#queue = [];
    for (const client of this.#clients) client?.destroy();
    this.#clients = [];
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #paced(ingest: Ingest, ratePerSecond: number): void {
    // A token bucket refilled every 5 ms, at most 20 ms of reports at once after a stall; devices
    // in turn, each with at most `window` reports unacknowledged, disconnected ones skipped.
    const burst = Math.max(1, ratePerSecond * 0.02);
    let tokens = 0;
    let last = performance.now();
    let cursor = 0;
    const n = ingest.devices;
    ingest.timer = setInterval(() => {
      const now = performance.now();
      tokens = Math.min(burst, tokens + ((now - last) * ratePerSecond) / 1000);
      last = now;
      let skipped = 0;
      while (tokens >= 1 && skipped < n) {
        const i = cursor;
        cursor = (cursor + 1) % n;
        if ((this.#inflight[i] ?? 0) >= ingest.window || this.#clients[i]?.connected !== true) {
          skipped++;
          continue;
        }
        skipped = 0;
        this.#send(i);
        tokens -= 1;
      }
    }, 5);
  }

  #send(i: number): void {
    const client = this.#clients[i];
    const topic = this.#topics[i];
    if (client === undefined || topic === undefined || !client.connected) return;
    const seq = (this.#seq[i] ?? 0) + 1;
    this.#seq[i] = seq;
    client.publish1(topic, '{"seq":' + seq + ',"props":{"light.brightness":' + ((seq % 100) + 1) + '}}');
    this.#inflight[i] = (this.#inflight[i] ?? 0) + 1;
    this.#sentBy[i] = (this.#sentBy[i] ?? 0) + 1;
    this.#s.sent++;
  }

  #acked(i: number, client: BenchClient): void {
    if (this.#clients[i] !== client) return;
    this.#inflight[i] = Math.max(0, (this.#inflight[i] ?? 0) - 1);
    this.#ackedBy[i] = (this.#ackedBy[i] ?? 0) + 1;
    this.#s.acked++;
    const ingest = this.#ingest;
    if (ingest?.running === true && ingest.timer === undefined && i < ingest.devices) this.#send(i);
  }

  #stopIngestTimer(): void {
    const ingest = this.#ingest;
    if (ingest?.timer !== undefined) {
      clearInterval(ingest.timer);
      ingest.timer = undefined;
    }
  }

  #later(i: number, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#queue.push(i);
      this.#pump();
    }, ms);
    this.#timers.add(timer);
  }

  /** Starts queued connect attempts, at most `window` at once. */
  #pump(): void {
    while (!this.#closed && this.#connecting < this.#window && this.#queue.length > 0) {
      const i = this.#queue.shift();
      if (i !== undefined) this.#attempt(i);
    }
    if (this.#connecting === 0 && this.#queue.length === 0 && this.#timers.size === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #attempt(i: number): void {
    const device = this.#devices[i];
    if (device === undefined) return;
    const at = this.#next[i] ?? 0;
    const endpoint = this.#endpoints[at];
    if (endpoint === undefined) return;
    const localAddress = this.#local.length > 0 ? this.#local[i % this.#local.length] : undefined;
    this.#connecting++;
    const client: BenchClient = new BenchClient({
      host: endpoint.host,
      port: endpoint.port,
      clientId: device.clientId,
      ...(device.username !== undefined ? { username: device.username } : {}),
      ...(device.password !== undefined ? { password: device.password } : {}),
      ...(localAddress !== undefined ? { localAddress } : {}),
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      onPuback: () => this.#acked(i, client),
      onClose: () => this.#lostConnection(i, client),
    });
    const topics = [`dev/${device.did}/cmd`, `dev/${device.did}/ota`];
    const ready = this.#subscribe
      ? client
          .connect()
          .then(() => suback(client, topics))
          .then((granted) => {
            if (granted.some((code) => code > 1)) {
              client.destroy();
              throw new Error(`SUBACK refused: ${granted.join(',')}`);
            }
          })
      : client.connect();
    ready.then(
      () => {
        this.#connecting--;
        if (this.#closed) {
          client.destroy();
          return;
        }
        if (this.#lost[i] === 1) this.#s.reconnected++;
        this.#lost[i] = 0;
        this.#failures[i] = 0;
        this.#clients[i] = client;
        this.#s.lastConnectAt = Date.now();
        this.#pump();
      },
      (error: unknown) => {
        this.#connecting--;
        this.#s.failedAttempts++;
        const reason = (error instanceof Error ? error.message : String(error)).slice(0, 120);
        const key = `${at}|${reason}`;
        const seen = this.#failuresBy.get(key);
        if (seen !== undefined) this.#failuresBy.set(key, seen + 1);
        else if (this.#failuresBy.size < MAX_FAILURE_KINDS) this.#failuresBy.set(key, 1);
        const failures = (this.#failures[i] ?? 0) + 1;
        const lostBefore = this.#lost[i] === 1;
        this.#failures[i] = failures;
        this.#next[i] = (at + 1) % this.#endpoints.length;
        if (!this.#closed && !lostBefore && failures >= this.#attempts) {
          this.#s.gaveUp++;
          if (this.#errors.length < MAX_ERRORS_KEPT)
            this.#errors.push(error instanceof Error ? error.message : String(error));
        } else if (!this.#closed) {
          this.#later(i, lostBefore ? backoffMs(failures) : 100 * failures);
        }
        this.#pump();
      },
    );
  }

  #lostConnection(i: number, client: BenchClient): void {
    if (this.#clients[i] !== client || this.#closed) return;
    this.#clients[i] = undefined;
    this.#inflight[i] = 0;
    this.#s.lost++;
    if (!this.#healing) return;
    this.#lost[i] = 1;
    this.#failures[i] = 0;
    this.#next[i] = ((this.#next[i] ?? 0) + 1) % this.#endpoints.length;
    this.#later(i, backoffMs(0));
  }
}
