import type { Generator } from '../generator.js';
import { metricSum } from '../setup.js';
import { openWindow, sleep, type Watched } from './measure.js';
import type { HubNode } from './nodes.js';
import type { PostgresServer, RedisServer } from './servers.js';
import { statusOf, sum } from './traffic.js';
import type { IntegrityFigures, StormFigures } from './types.js';

const SWEPT = 'ecohub_cluster_devices_swept_total';

async function sweptOn(nodes: readonly HubNode[]): Promise<number> {
  const values = await Promise.all(
    nodes.map((n) =>
      n.api.metrics().then(
        (m) => metricSum(m, SWEPT),
        () => 0,
      ),
    ),
  );
  return sum(values);
}

export async function onlineInDatabase(postgres: PostgresServer): Promise<number> {
  const { rows } = await postgres.pool.query('SELECT count(*)::int AS n FROM devices WHERE online');
  return Number((rows[0] as { n: number } | undefined)?.n ?? Number.NaN);
}

/**
 * Kill -9 of `victim` while the fleet reports, its restart by "the supervisor" (a new process
 * with a new node id on the same ports, started as soon as the old one is gone), and the fleet
 * healing itself (worker/cluster-fleet.ts: round robin over the nodes, full and dead ones refusing).
 * Timed from the SIGKILL: the restarted node ready, the dead node swept by the others (it left
 * `ecohub:nodes`), every device connected again, presence in Redis and in the database whole.
 */
export async function killAndRecover(opts: {
  readonly victim: HubNode;
  readonly survivors: readonly HubNode[];
  readonly restart: () => Promise<HubNode>;
  readonly generators: readonly Generator[];
  readonly watched: Watched;
  readonly redis: RedisServer;
  readonly postgres: PostgresServer;
  readonly total: number;
  readonly timeoutMs: number;
  readonly progress: (line: string) => void;
}): Promise<{ storm: StormFigures; restarted: HubNode | undefined }> {
  const { victim, generators, redis, total } = opts;
  const before = await statusOf(generators);
  const victimIndex = opts.survivors.length;
  const devicesOnKilled = sum(before.map((s) => s.perEndpoint[victimIndex] ?? 0));
  const swept0 = await sweptOn(opts.survivors);
  const w = await openWindow(opts.watched);
  const killedAt = performance.now();
  const since = () => (performance.now() - killedAt) / 1000;
  await victim.kill9();
  opts.progress(`SIGKILL to node ${victim.id} (${devicesOnKilled} devices); the supervisor restarts it`);
  let restarted: HubNode | undefined;
  let restartedReadyS = Number.NaN;
  let restartError: string | undefined;
  const restarting = opts.restart().then(
    (node) => {
      restarted = node;
      restartedReadyS = since();
      opts.progress(`restarted as ${node.id}, ready ${restartedReadyS.toFixed(1)} s after the kill`);
    },
    (error: unknown) => {
      restartError = error instanceof Error ? error.message : String(error);
    },
  );
  let sweptS: number | undefined;
  let allOnlineS: number | undefined;
  let presenceWholeS: number | undefined;
  let databaseWholeS: number | undefined;
  const timeline: Array<[number, number]> = [];
  let lastLogged = 0;
  while (since() * 1000 < opts.timeoutMs) {
    const [statuses, inNodes, presence, online] = await Promise.all([
      statusOf(generators),
      redis.client.zscore('ecohub:nodes', victim.id),
      redis.client.hlen('ecohub:presence'),
      onlineInDatabase(opts.postgres),
    ]);
    const t = since();
    const connected = sum(statuses.map((s) => s.connected));
    timeline.push([t, connected]);
    if (sweptS === undefined && inNodes === null) sweptS = t;
    if (allOnlineS === undefined && connected >= total) allOnlineS = t;
    if (presenceWholeS === undefined && presence >= total && connected >= total) presenceWholeS = t;
    if (databaseWholeS === undefined && online >= total && connected >= total) databaseWholeS = t;
    if (t - lastLogged >= 5) {
      lastLogged = t;
      opts.progress(
        `  +${t.toFixed(1)} s: ${connected}/${total} connected, presence ${presence}, online in database ${online}` +
          (sweptS !== undefined ? `, swept at ${sweptS.toFixed(1)} s` : ''),
      );
    }
    if (
      sweptS !== undefined &&
      allOnlineS !== undefined &&
      presenceWholeS !== undefined &&
      databaseWholeS !== undefined
    )
      break;
    await sleep(250);
  }
  await restarting;
  if (restartError !== undefined) throw new Error(`the restart failed: ${restartError}`);
  const window = await w.end();
  const after = await statusOf(generators);
  const live = restarted !== undefined ? [...opts.survivors, restarted] : [...opts.survivors];
  return {
    restarted,
    storm: {
      killedNode: victim.id,
      restartedAs: restarted?.id ?? '-',
      devicesOnKilled,
      restartedReadyS,
      sweptS,
      devicesSwept: (await sweptOn(live)) - swept0,
      allOnlineS,
      presenceWholeS,
      databaseWholeS,
      connectedAfter: sum(after.map((s) => s.connected)),
      perNodeAfter: live.map((_, i) => sum(after.map((s) => s.perEndpoint[i] ?? 0))),
      failedAttempts: sum(after.map((s) => s.failedAttempts)) - sum(before.map((s) => s.failedAttempts)),
      reconnected: sum(after.map((s) => s.reconnected)) - sum(before.map((s) => s.reconnected)),
      timeline,
      window,
    },
  };
}

/**
 * Nothing acknowledged lost, no duplicates, no ghost presence: per device, the reports the
 * generators saw acknowledged against the rows stored for it; devices online in the database and
 * in Redis against the devices connected; presence entries still naming the killed node.
 */
export async function checkIntegrity(opts: {
  readonly perDevice: ReadonlyArray<{ dids: string[]; sent: number[]; acked: number[] }>;
  readonly generators: readonly Generator[];
  readonly redis: RedisServer;
  readonly postgres: PostgresServer;
  readonly killedNode: string | undefined;
  readonly settleMs: number;
}): Promise<IntegrityFigures> {
  const sent = new Map<string, number>();
  const acked = new Map<string, number>();
  for (const p of opts.perDevice) {
    p.dids.forEach((did, i) => {
      sent.set(did, (sent.get(did) ?? 0) + (p.sent[i] ?? 0));
      acked.set(did, (acked.get(did) ?? 0) + (p.acked[i] ?? 0));
    });
  }
  const { rows } = await opts.postgres.pool.query(
    `SELECT device_id, count(*)::int AS n FROM telemetry WHERE property = 'light.brightness' GROUP BY device_id`,
  );
  const stored = new Map<string, number>();
  for (const r of rows as Array<{ device_id: string; n: number }>) stored.set(r.device_id, r.n);
  let ackedMissing = 0;
  let duplicates = 0;
  let storedUnacked = 0;
  let rowTotal = 0;
  for (const [did, a] of acked) {
    const n = stored.get(did) ?? 0;
    rowTotal += n;
    ackedMissing += Math.max(0, a - n);
    duplicates += Math.max(0, n - (sent.get(did) ?? 0));
    storedUnacked += Math.max(0, Math.min(n, sent.get(did) ?? 0) - a);
  }
  // Presence settles after the last connects: compare once it stops changing (bounded).
  const deadline = Date.now() + opts.settleMs;
  let figures: Pick<
    IntegrityFigures,
    'onlineInDatabase' | 'onlineInRedis' | 'presenceOnKilledNode' | 'connected'
  >;
  for (;;) {
    const [statuses, presence, online] = await Promise.all([
      statusOf(opts.generators),
      opts.redis.client.hvals('ecohub:presence'),
      onlineInDatabase(opts.postgres),
    ]);
    const killed = opts.killedNode;
    figures = {
      connected: sum(statuses.map((s) => s.connected)),
      onlineInRedis: presence.length,
      onlineInDatabase: online,
      presenceOnKilledNode:
        killed === undefined ? 0 : presence.filter((v) => v.startsWith(`${killed}|`)).length,
    };
    const whole =
      figures.onlineInDatabase === figures.connected &&
      figures.onlineInRedis === figures.connected &&
      figures.presenceOnKilledNode === 0;
    if (whole || Date.now() > deadline) break;
    await sleep(500);
  }
  return {
    sent: sum([...sent.values()]),
    acked: sum([...acked.values()]),
    rows: rowTotal,
    ackedMissing,
    duplicates,
    storedUnacked,
    ...figures,
  };
}
