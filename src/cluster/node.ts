import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CHANNELS, type Claim, KEYS, parsePresence, SessionDirectory } from './directory.js';
import type { ClusterOptions } from './options.js';

/** What a node asks of its own broker and registry; the composition root wires these. */
export interface NodeHooks {
  /** Close the local connection of this client id if older than `epoch`; true once one was closed and ended. */
  closeOlder(clientId: string, epoch: number): Promise<boolean>;
  /** A device held by a dead node is offline now (its session was released in Redis). */
  deviceLost(deviceId: string): void;
  /** A device reply for a command pending on this node arrived at another node. */
  replyFromDevice(deviceId: string, payload: Buffer): void;
  /** Local sessions to check after Redis came back: client id -> epoch this node holds. */
  localSessions(): Map<string, number>;
}

type Direct =
  | { t: 'takeover'; clientId: string; epoch: number; from: string; req: string }
  | { t: 'ack'; req: string }
  | { t: 'reply'; did: string; payload: string };

export interface NodeCounters {
  takeovers(outcome: 'closed' | 'none' | 'timeout'): void;
  repliesRouted(): void;
  devicesSwept(n: number): void;
  /** A heartbeat found this node's liveness key expired. */
  lapses(): void;
}

/**
 * This process as one node of the cluster: its liveness key and heartbeat, its direct channel
 * (takeover requests and acks, routed command replies), the presence of devices on other nodes
 * (kept from the directory's change feed, so `onlineElsewhere` answers in memory on the command
 * path), and the sweep that releases what a dead node held. Node-local state only; the truth is
 * in Redis.
 */
export class ClusterNode {
  readonly id: string;
  readonly directory: SessionDirectory;
  readonly #o: ClusterOptions;
  readonly #redis: Redis;
  readonly #sub: Redis;
  readonly #log: Logger;
  readonly #counters: NodeCounters;
  #hooks: NodeHooks | undefined;
  /** Devices online on other nodes: device id -> node and epoch. */
  readonly #remote = new Map<string, { node: string; epoch: number }>();
  /** Takeover requests this node sent and waits an ack for. */
  readonly #acks = new Map<string, () => void>();
  /** Devices whose local session ended because another node took them over: no offline presence. */
  readonly #movedAway = new Map<string, number>();
  #alive = 0;
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;
  #closed = false;

  constructor(deps: {
    options: ClusterOptions;
    redis: Redis;
    sub: Redis;
    log: Logger;
    counters: NodeCounters;
  }) {
    this.#o = deps.options;
    this.id = deps.options.nodeId;
    this.#redis = deps.redis;
    this.#sub = deps.sub;
    this.#log = deps.log;
    this.#counters = deps.counters;
    this.directory = new SessionDirectory(deps.redis, this.id);
  }

  get ready(): boolean {
    return !this.#closed && this.#redis.status === 'ready' && this.#sub.status === 'ready';
  }

  /** Live nodes seen at the last heartbeat (this one included). */
  get nodesAlive(): number {
    return this.#alive;
  }

  get remoteOnline(): number {
    return this.#remote.size;
  }

  async start(hooks: NodeHooks): Promise<void> {
    this.#hooks = hooks;
    const taken = await this.#redis.set(
      KEYS.nodeAlive(this.id),
      String(Date.now()),
      'PX',
      this.#ttlMs(),
      'NX',
    );
    if (taken === null)
      throw new Error(
        `another live node already uses the node id '${this.id}'; give each node its own --node-id`,
      );
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.#onMessage(channel.toString(), message),
    );
    await this.#sub.subscribe(CHANNELS.presence, CHANNELS.node(this.id));
    for (const [did, where] of await this.directory.onlineDevices()) {
      if (where.node !== this.id) this.#remote.set(did, where);
    }
    // After a Redis outage this node may hold sessions the cluster gave to others meanwhile.
    this.#redis.on('ready', () => {
      this.#revalidate().catch((err: unknown) => this.#log.warn({ err }, 'revalidating sessions failed'));
    });
    await this.#beat();
    this.#timer = setInterval(() => {
      this.#beat().catch((err: unknown) => this.#log.warn({ err: String(err) }, 'cluster heartbeat failed'));
    }, this.#o.heartbeatMs);
    this.#timer.unref();
    this.#log.info(
      { node: this.id, nodesAlive: this.#alive, remoteOnline: this.#remote.size },
      'joined the cluster',
    );
  }

  /**
   * Takes a client id for this node; when another node held it, asks it to close that connection
   * first. `sessionFree`: no persistent session is stored for the id and no connection of it can
   * still be adding one (none held it, or only a dead node), so CONNECT has nothing to look up or
   * clean in the session store.
   */
  async claim(clientId: string, isDevice: boolean): Promise<Claim & { sessionFree: boolean }> {
    const claim = await this.directory.claim(clientId, isDevice, Date.now());
    let live = claim.heldHere;
    if (claim.previousNode !== undefined)
      live = (await this.#takeover(clientId, claim.epoch, claim.previousNode)) !== 'none';
    return { ...claim, sessionFree: !claim.storedSession && !live };
  }

  /** The session ended here; false when the cluster had already given the id to a newer epoch. */
  release(clientId: string, epoch: number, isDevice: boolean): Promise<boolean> {
    return this.directory.release(clientId, epoch, isDevice);
  }

  onlineElsewhere(deviceId: string): string | undefined {
    return this.#remote.get(deviceId)?.node;
  }

  /** True (once) when this device's local session ended because another node took it over. */
  movedAway(deviceId: string): boolean {
    if (!this.#movedAway.has(deviceId)) return false;
    this.#movedAway.delete(deviceId);
    return true;
  }

  noteMovedAway(deviceId: string): void {
    this.#movedAway.set(deviceId, Date.now());
    // Bounded: an entry is consumed by the offline announcement it suppresses, or ages out here.
    if (this.#movedAway.size > 10_000) {
      const cutoff = Date.now() - 60_000;
      for (const [did, at] of this.#movedAway) if (at < cutoff) this.#movedAway.delete(did);
    }
  }

  /** Remembers that the reply to this command must come back here; resolves before the command is sent. */
  async expectReply(commandId: string, ttlMs: number): Promise<void> {
    await this.#redis.set(KEYS.route(commandId), this.id, 'PX', ttlMs);
  }

  /**
   * A device reply arrived here: when another node waits for it, forwards it there and returns
   * true. One GETDEL per reply: the route is consumed, so a duplicate reply is not forwarded twice.
   */
  async routeReply(deviceId: string, commandId: string, payload: Buffer): Promise<boolean> {
    const node = await this.#redis.getdel(KEYS.route(commandId));
    if (node === null || node === this.id) return false;
    const message: Direct = { t: 'reply', did: deviceId, payload: payload.toString('base64') };
    await this.#redis.publish(CHANNELS.node(node), JSON.stringify(message));
    this.#counters.repliesRouted();
    return true;
  }

  /**
   * Fires a will of a dead node's client only on the first node to ask (several nodes sweep wills),
   * and never while that node is alive here: aedes judges a node dead by its own heartbeat setting,
   * so a node beating slower than this one would otherwise lose its clients' wills while alive.
   */
  async firstToFire(brokerId: string, clientId: string): Promise<boolean> {
    if ((await this.#redis.exists(KEYS.nodeAlive(brokerId))) === 1) return false;
    const won = await this.#redis.set(KEYS.will(brokerId, clientId), this.id, 'PX', 10 * 60_000, 'NX');
    return won !== null;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const resolve of this.#acks.values()) resolve();
    this.#acks.clear();
    // A clean stop hands its devices over at once instead of waiting for the sweep.
    try {
      await this.#redis.del(KEYS.nodeAlive(this.id));
      await this.#redis.zrem(KEYS.nodes, this.id);
    } catch {
      // Redis is gone: the others sweep this node once its key expires.
    }
  }

  #ttlMs(): number {
    return this.#o.deadAfterMs ?? Math.round(7.5 * this.#o.heartbeatMs);
  }

  async #beat(): Promise<void> {
    const now = Date.now();
    const renewed = await this.#redis
      .multi()
      .set(KEYS.nodeAlive(this.id), String(now), 'PX', this.#ttlMs(), 'GET')
      .zadd(KEYS.nodes, now, this.id)
      .exec();
    const [setError, previous] = renewed?.[0] ?? [null, undefined];
    if (setError === null && previous === null && !this.#closed) {
      // The key had lapsed (this process stalled, or lost Redis, for a whole TTL): the others may
      // have swept some of what it holds. Their sweep stops now that the key is back; the sessions
      // it already released are closed here, so those devices reconnect and claim afresh.
      this.#counters.lapses();
      this.#log.error(
        { node: this.id, deadAfterMs: this.#ttlMs() },
        'this node was presumed dead (liveness key lapsed): closing the sessions swept meanwhile',
      );
      await this.#revalidate();
    }
    const nodes = await this.#redis.zrange(KEYS.nodes, 0, -1);
    const pipeline = this.#redis.pipeline();
    for (const node of nodes) pipeline.exists(KEYS.nodeAlive(node));
    const alive = (await pipeline.exec()) ?? [];
    this.#alive = 0;
    const dead: string[] = [];
    nodes.forEach((node, i) => {
      if (alive[i]?.[1] === 1) this.#alive += 1;
      else dead.push(node);
    });
    if (dead.length > 0 && !this.#sweeping) {
      this.#sweeping = true;
      try {
        for (const node of dead) await this.#sweep(node);
      } finally {
        this.#sweeping = false;
      }
    }
  }

  /** One node sweeps a dead one (a lock held for a bounded time), in batches, then forgets it. */
  async #sweep(dead: string): Promise<void> {
    const lock = await this.#redis.set(KEYS.sweep(dead), this.id, 'PX', 30_000, 'NX');
    if (lock === null) return;
    let total = 0;
    for (;;) {
      const released = await this.directory.sweep(dead);
      if (released === 'alive') {
        this.#counters.devicesSwept(total);
        this.#log.warn(
          { deadNode: dead, devicesOffline: total },
          'a node presumed dead renewed its liveness: sweep stopped',
        );
        return;
      }
      for (const did of released) this.#hooks?.deviceLost(did);
      total += released.length;
      if (released.length === 0 && (await this.#redis.scard(KEYS.nodeDevices(dead))) === 0) break;
    }
    await this.directory.forget(dead);
    this.#counters.devicesSwept(total);
    this.#log.warn(
      { deadNode: dead, devicesOffline: total },
      'a node stopped answering: its devices are offline',
    );
  }

  async #takeover(clientId: string, epoch: number, node: string): Promise<'closed' | 'none' | 'timeout'> {
    if ((await this.#redis.exists(KEYS.nodeAlive(node))) === 0) {
      this.#counters.takeovers('none');
      return 'none'; // a dead node holds nothing to close; the sweep handles its presence
    }
    const req = randomBytes(8).toString('hex');
    const acked = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#acks.delete(req);
        resolve(false);
      }, this.#o.takeoverTimeoutMs);
      this.#acks.set(req, () => {
        clearTimeout(timer);
        this.#acks.delete(req);
        resolve(true);
      });
    });
    const message: Direct = { t: 'takeover', clientId, epoch, from: this.id, req };
    await this.#redis.publish(CHANNELS.node(node), JSON.stringify(message));
    const ok = await acked;
    this.#counters.takeovers(ok ? 'closed' : 'timeout');
    if (!ok) this.#log.warn({ clientId, node }, 'takeover not acknowledged in time; connecting anyway');
    return ok ? 'closed' : 'timeout';
  }

  #onMessage(channel: string, message: Buffer): void {
    if (channel === CHANNELS.presence) {
      const change = parsePresence(message.toString());
      if (!change || change.node === this.id) return;
      const known = this.#remote.get(change.deviceId);
      if (change.online) {
        if (!known || known.epoch <= change.epoch) this.#remote.set(change.deviceId, change);
      } else if (known && known.epoch <= change.epoch) {
        this.#remote.delete(change.deviceId);
      }
      return;
    }
    if (channel !== CHANNELS.node(this.id)) return;
    let direct: Direct;
    try {
      direct = JSON.parse(message.toString()) as Direct;
    } catch {
      return;
    }
    if (direct.t === 'ack') {
      this.#acks.get(direct.req)?.();
    } else if (direct.t === 'takeover') {
      // Noted before the close: the session's end announces presence, which this suppresses.
      this.noteMovedAway(direct.clientId);
      const closing = this.#hooks?.closeOlder(direct.clientId, direct.epoch) ?? Promise.resolve(false);
      closing.then(
        (closed) => {
          if (!closed) this.#movedAway.delete(direct.clientId);
          // Acknowledged on the turn after the session ended: its queued presence write runs first,
          // so the database never records the old node's offline after the new node's online.
          setImmediate(() => {
            const ack: Direct = { t: 'ack', req: direct.req };
            this.#redis.publish(CHANNELS.node(direct.from), JSON.stringify(ack)).catch(() => undefined);
          });
        },
        () => undefined,
      );
    } else if (direct.t === 'reply') {
      this.#hooks?.replyFromDevice(direct.did, Buffer.from(direct.payload, 'base64'));
    }
  }

  async #revalidate(): Promise<void> {
    if (!this.#hooks || this.#closed) return;
    const local = this.#hooks.localSessions();
    const ids = [...local.keys()];
    for (let i = 0; i < ids.length; i += 1000) {
      const slice = ids.slice(i, i + 1000);
      const held = await this.directory.heldEpochs(slice);
      slice.forEach((id, j) => {
        const mine = local.get(id);
        // [stale node] the cluster gave this id to another node (or swept it): never resurrect it.
        if (mine !== undefined && held[j] !== mine) {
          this.#log.info({ clientId: id }, 'closing a session the cluster no longer gives this node');
          void this.#hooks?.closeOlder(id, Number.MAX_SAFE_INTEGER);
        }
      });
    }
  }
}
