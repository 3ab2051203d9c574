import { Generator } from '../generator.js';
import type { ClusterDevice } from '../generator-protocol.js';
import { rssKiB } from '../proc.js';
import {
  claimDevice,
  createUser,
  HubApi,
  onboardPartner,
  type ProvisionedDevice,
  provisionDevices,
  publishBulbModel,
} from '../setup.js';
import { NODE_HEADROOM } from './config.js';
import { openWindow, sleep, type Watched } from './measure.js';
import { type HubNode, startNode } from './nodes.js';
import { freePort, startPostgres, startRedis } from './servers.js';
import { checkIntegrity, killAndRecover } from './storm.js';
import {
  endpoint,
  fullSpeedIngest,
  latencyText,
  phoneParties,
  roundTrips,
  statusOf,
  sum,
} from './traffic.js';
import type {
  ClusterBenchEnv,
  ClusterResults,
  IngestFigures,
  IntegrityFigures,
  LatencyFigures,
  StormFigures,
} from './types.js';

const CALL_MS = 600_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sourceAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${2 + i}`);
}

/**
 * The cluster bench, in order: servers; node 1 alone (the one-node baseline: ingest and round
 * trips, cluster mode on PostgreSQL); the other nodes; the fleet connected (N per node); ingest
 * and round trips across the nodes; the fleet reporting at a steady rate; one node killed with
 * SIGKILL and restarted; the fleet whole again; integrity. A phase that fails is recorded, and
 * the phases that depend on it are skipped.
 */
export async function runClusterBench(env: ClusterBenchEnv): Promise<ClusterResults> {
  const { config: c, cleanup, progress } = env;
  const errors: string[] = [];
  const total = c.nodes * c.devicesPerNode;
  progress(`starting redis-server and PostgreSQL`);
  const [redis, postgres] = await Promise.all([startRedis(cleanup), startPostgres(env.root, cleanup)]);
  progress(`redis ${redis.version} at ${redis.url}; PostgreSQL ${postgres.version}`);
  const ports: Array<{ http: number; mqtt: number }> = [];
  for (let i = 0; i < c.nodes; i++) ports.push({ http: await freePort(), mqtt: await freePort() });
  const nodeOptions = (i: number, id: string) => ({
    root: env.root,
    adminToken: env.adminToken,
    redisUrl: redis.url,
    databaseUrl: postgres.url,
    id,
    httpPort: ports[i]?.http ?? 0,
    mqttPort: ports[i]?.mqtt ?? 0,
    // The fleet's share plus the round-trip phone and device, and room for the few devices a slow
    // node's connect timeouts push to the others (12 per node in the 78,000-device runs).
    maxConnections: c.devicesPerNode + NODE_HEADROOM,
    progress,
  });
  const nodes: HubNode[] = [];
  const nodeStartS: number[] = [];
  let provisionS = Number.NaN;
  let baseline: { ingest: IngestFigures; roundTrip: LatencyFigures } | undefined;
  let connect: ClusterResults['connect'];
  let clusterIngest: IngestFigures | undefined;
  let roundTripSameNode: LatencyFigures | undefined;
  let roundTripAcross: LatencyFigures | undefined;
  let steady: ClusterResults['steady'];
  let storm: StormFigures | undefined;
  let integrity: IntegrityFigures | undefined;
  const first = await startNode(nodeOptions(0, 'bench-1'), cleanup);
  nodes.push(first);
  progress(`node bench-1 ready in ${(first.startMs / 1000).toFixed(1)} s (migrations included)`);

  const provisionStarted = performance.now();
  const api = new HubApi(first.api.baseUrl, env.adminToken);
  const partner = await onboardPartner(api);
  const modelId = await publishBulbModel(api, partner, env.root);
  const provisioned: ProvisionedDevice[] = [];
  while (provisioned.length < total + 1) {
    const n = Math.min(10_000, total + 1 - provisioned.length);
    provisioned.push(...(await provisionDevices(api, partner, modelId, n)));
  }
  const rtDevice = provisioned.pop() as ProvisionedDevice;
  const user = await createUser(api);
  await claimDevice(api, user, rtDevice);
  provisionS = (performance.now() - provisionStarted) / 1000;
  progress(`provisioned ${total + 1} devices and a user in ${provisionS.toFixed(1)} s`);
  const fleet: ClusterDevice[] = provisioned.map((d, j) => ({
    did: d.id,
    clientId: d.id,
    username: d.id,
    password: d.secret,
    home: j % c.nodes,
  }));
  const parties = phoneParties(user, rtDevice);
  const addresses = sourceAddresses(c.sourceAddresses);
  const rt = Generator.start('rt', env.workerPath, cleanup);
  const generators: Generator[] = [];
  const watched: Watched = {
    hubs: () => nodes.map((n) => n.pid),
    generators: () => [rt, ...generators].map((g) => g.pid),
    redis,
    postgres,
  };
  const attempt = async <T>(what: string, body: () => Promise<T>): Promise<T | undefined> => {
    if (env.signal.aborted) return undefined;
    try {
      return await body();
    } catch (error) {
      errors.push(`${what}: ${message(error)}`);
      progress(`${what} FAILED: ${message(error)}`);
      return undefined;
    }
  };

  // The one-node baseline: node 1 alone, in cluster mode on PostgreSQL, no other device connected.
  const perDevice: Array<{ dids: string[]; sent: number[]; acked: number[] }> = [];
  baseline = await attempt('one-node baseline', async () => {
    const gen = Generator.start('baseline', env.workerPath, cleanup);
    generators.push(gen);
    try {
      const devices = fleet.slice(0, c.ingest.devices).map((d) => ({ ...d, home: 0 }));
      const connected = await gen.call(
        {
          op: 'cfConnect',
          endpoints: [endpoint(first.mqttPort)],
          devices,
          localAddresses: addresses,
          window: 50,
          attempts: 3,
        },
        CALL_MS,
      );
      if (connected.gaveUp > 0)
        throw new Error(`${connected.gaveUp} devices did not connect: ${connected.errors[0]}`);
      const { warmupMs, durationMs, window } = c.ingest;
      const ingest = await fullSpeedIngest([gen], watched, devices.length, window, warmupMs, durationMs);
      progress(
        `baseline ingest, 1 node: ${Math.round(ingest.perSec)} reports/s from ${devices.length} devices`,
      );
      const { warmup, count, timeLimitMs } = c.roundTrip;
      const roundTrip = await roundTrips(
        rt,
        parties,
        rtDevice.id,
        first.mqttPort,
        first.mqttPort,
        warmup,
        count,
        timeLimitMs,
      );
      progress(`baseline round trip, 1 node: ${latencyText(roundTrip)}`);
      perDevice.push(await gen.call({ op: 'cfPerDevice' }, CALL_MS));
      return { ingest, roundTrip };
    } finally {
      generators.splice(generators.indexOf(gen), 1);
      await gen.close();
    }
  });

  nodeStartS.push(first.startMs / 1000);
  const others = await attempt('starting the other nodes', () =>
    Promise.all(
      Array.from({ length: c.nodes - 1 }, (_, k) => startNode(nodeOptions(k + 1, `bench-${k + 2}`), cleanup)),
    ),
  );
  if (others === undefined) return partial();
  for (const node of others) {
    nodes.push(node);
    nodeStartS.push(node.startMs / 1000);
  }
  progress(`${c.nodes} nodes ready`);
  const endpoints = nodes.map((n) => endpoint(n.mqttPort));

  const per = Math.ceil(total / c.generators);
  for (let g = 0; g < c.generators; g++)
    generators.push(Generator.start(`fleet-${g + 1}`, env.workerPath, cleanup));
  connect = await attempt('connecting the fleet', async () => {
    const w = await openWindow(watched);
    const started = performance.now();
    const ticker = setInterval(() => {
      statusOf(generators).then(
        (st) => progress(`  connecting: ${sum(st.map((x) => x.connected))}/${total}`),
        () => undefined,
      );
    }, 15_000);
    // About 50 connects a second on a loaded 2-core box: the bound grows with the fleet.
    const connectBoundMs = Math.max(CALL_MS, total * 50);
    const outcomes = await Promise.all(
      generators.map((g, i) =>
        g.call(
          {
            op: 'cfConnect',
            endpoints,
            devices: fleet.slice(i * per, (i + 1) * per),
            localAddresses: addresses,
            window: c.connectWindow,
            // Firmware keeps trying; a bound still ends a fill that cannot complete.
            attempts: 6 * c.nodes,
          },
          connectBoundMs,
        ),
      ),
    ).finally(() => clearInterval(ticker));
    const seconds = (performance.now() - started) / 1000;
    const window = await w.end();
    const connected = sum(outcomes.map((o) => o.connected));
    const perNode = nodes.map((_, i) => sum(outcomes.map((o) => o.perEndpoint[i] ?? 0)));
    progress(
      `fleet: ${connected}/${total} connected in ${seconds.toFixed(1)} s (${perNode.join(' + ')}), ` +
        `node CPU ${window.hubCpu.map((x) => Math.round(x)).join('/')} %`,
    );
    const failed = new Map<string, number>();
    for (const f of outcomes.flatMap((o) => o.failures)) {
      const key = `${nodes[f.endpoint]?.id ?? f.endpoint}: ${f.reason}`;
      failed.set(key, (failed.get(key) ?? 0) + f.count);
    }
    if (failed.size > 0)
      progress(
        `  failed connect attempts: ${[...failed]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${n} x ${k}`)
          .join('; ')}`,
      );
    if (connected < total)
      throw new Error(
        `${total - connected} devices did not connect: ${outcomes.flatMap((o) => o.errors)[0]}`,
      );
    // Presence is claimed in Redis before CONNACK; the database write follows.
    const deadline = Date.now() + 120_000;
    while ((await redis.client.hlen('ecohub:presence')) < total && Date.now() < deadline) await sleep(250);
    await sleep(2000);
    const rssMiB = nodes.map((n) => (rssKiB(n.pid) ?? Number.NaN) / 1024);
    return { devices: total, connected, seconds, perNode, rssMiB, window };
  });
  if (connect === undefined) return partial();

  clusterIngest = await attempt('cluster ingest', async () => {
    const { devices, window, warmupMs, durationMs } = c.ingest;
    const r = await fullSpeedIngest(generators, watched, devices, window, warmupMs, durationMs);
    progress(`cluster ingest, ${c.nodes} nodes: ${Math.round(r.perSec)} reports/s from ${r.devices} devices`);
    return r;
  });
  const { warmup, count, timeLimitMs } = c.roundTrip;
  const second = nodes[1] as HubNode;
  roundTripSameNode = await attempt('round trip, same node', async () => {
    const r = await roundTrips(
      rt,
      parties,
      rtDevice.id,
      first.mqttPort,
      first.mqttPort,
      warmup,
      count,
      timeLimitMs,
    );
    progress(`round trip in the cluster, phone and device on node 1: ${latencyText(r)}`);
    return r;
  });
  roundTripAcross = await attempt('round trip, across nodes', async () => {
    const r = await roundTrips(
      rt,
      parties,
      rtDevice.id,
      first.mqttPort,
      second.mqttPort,
      warmup,
      count,
      timeLimitMs,
    );
    progress(`round trip in the cluster, phone on node 1, device on node 2: ${latencyText(r)}`);
    return r;
  });

  // The whole fleet reporting at a steady rate, measured, and kept up through the kill.
  await Promise.all(generators.map((g) => g.call({ op: 'cfHeal', on: true }, CALL_MS)));
  const rate = c.pacedPerSec / generators.length;
  await Promise.all(
    generators.map((g) =>
      g.call({ op: 'cfIngestStart', devices: per, window: 1, ratePerSecond: rate }, CALL_MS),
    ),
  );
  steady = await attempt('steady load', async () => {
    await sleep(2000);
    const a0 = sum((await statusOf(generators)).map((s) => s.acked));
    const w = await openWindow(watched);
    const [rtLoaded] = await Promise.all([
      roundTrips(rt, parties, rtDevice.id, first.mqttPort, second.mqttPort, 0, count, c.steadyMs).catch(
        () => undefined,
      ),
      sleep(c.steadyMs),
    ]);
    const window = await w.end();
    const a1 = sum((await statusOf(generators)).map((s) => s.acked));
    const reportsPerSec = (a1 - a0) / window.seconds;
    progress(
      `steady: ${Math.round(reportsPerSec)} reports/s from the whole fleet; Redis ${Math.round(window.redisOpsPerSec)} ops/s, ` +
        `PostgreSQL ${Math.round(window.pgTransactionsPerSec)} xact/s` +
        (rtLoaded ? `; round trip across nodes meanwhile: ${latencyText(rtLoaded)}` : ''),
    );
    return { reportsPerSec, roundTripAcross: rtLoaded, window };
  });
  await rt.call({ op: 'close' }, CALL_MS).catch(() => undefined);

  const victimIndex = c.nodes - 1;
  const victim = nodes[victimIndex] as HubNode;
  const stormed = await attempt('node kill and reconnect storm', () =>
    killAndRecover({
      victim,
      survivors: nodes.slice(0, victimIndex),
      restart: () => startNode(nodeOptions(victimIndex, `${victim.id}-restarted`), cleanup),
      generators,
      watched: { ...watched, hubs: () => nodes.filter((n) => n !== victim).map((n) => n.pid) },
      redis,
      postgres,
      total,
      timeoutMs: c.recoveryTimeoutMs,
      progress,
    }),
  );
  if (stormed?.restarted !== undefined) nodes[victimIndex] = stormed.restarted;
  storm = stormed?.storm;
  if (storm !== undefined) {
    progress(
      `storm: swept ${storm.sweptS?.toFixed(1) ?? 'never'} s, all ${total} online again ${storm.allOnlineS?.toFixed(1) ?? 'never'} s, ` +
        `database whole ${storm.databaseWholeS?.toFixed(1) ?? 'never'} s after the kill`,
    );
  }
  await Promise.all(generators.map((g) => g.call({ op: 'cfIngestStop', drainMs: 15_000 }, CALL_MS)));
  integrity = await attempt('integrity', async () => {
    for (const g of generators) perDevice.push(await g.call({ op: 'cfPerDevice' }, CALL_MS));
    const r = await checkIntegrity({
      perDevice,
      generators,
      redis,
      postgres,
      killedNode: storm?.killedNode,
      settleMs: 30_000,
    });
    progress(
      `integrity: ${r.acked} acknowledged, ${r.rows} rows, ${r.ackedMissing} acknowledged missing, ${r.duplicates} duplicates; ` +
        `online: ${r.connected} connected, ${r.onlineInRedis} in Redis, ${r.onlineInDatabase} in the database, ` +
        `${r.presenceOnKilledNode} on the killed node`,
    );
    return r;
  });
  return partial();

  function partial(): ClusterResults {
    return {
      redisVersion: redis.version,
      postgresVersion: postgres.version,
      nodeStartS,
      provisionS,
      baseline: { ingest: baseline?.ingest, roundTrip: baseline?.roundTrip },
      connect,
      clusterIngest,
      roundTripSameNode,
      roundTripAcross,
      steady,
      storm,
      integrity,
      errors,
    };
  }
}
