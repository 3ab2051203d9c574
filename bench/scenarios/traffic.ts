import { randomBytes } from 'node:crypto';
import type { BenchContext, TargetName } from '../context.js';
import { Generator } from '../generator.js';
import type { Endpoint, FleetDevice, RoundTripParties } from '../generator-protocol.js';
import { startHub } from '../hub-process.js';
import { startMosquitto } from '../mosquitto.js';
import { claimDevice, createUser, HubApi, provisionFleet } from '../setup.js';

/**
 * A server with what (b) and (c) need connected to it: M reporting devices in one generator, a
 * phone and a round-trip device in another, and (mosquitto only) the subscriber that consumes
 * every report. The round-trip generator is its own process so that the load does not delay it.
 */
export interface TrafficTarget {
  readonly name: TargetName;
  readonly serverPid: number;
  readonly load: Generator;
  readonly rt: Generator;
  readonly sink: Generator | undefined;
  readonly rtDid: string;
  /** Hub only: for /metrics. */
  readonly api: HubApi | undefined;
  close(): Promise<void>;
}

const SETUP_TIMEOUT_MS = 120_000;

async function connectLoad(
  ctx: BenchContext,
  name: TargetName,
  endpoint: Endpoint,
  devices: FleetDevice[],
): Promise<{ load: Generator; rt: Generator }> {
  const load = Generator.start(`${name}-load`, ctx.workerPath, ctx.cleanup);
  const rt = Generator.start(`${name}-rt`, ctx.workerPath, ctx.cleanup);
  const outcome = await load.call(
    { op: 'connect', endpoint, devices, localAddresses: [], window: 50, attempts: 3 },
    SETUP_TIMEOUT_MS,
  );
  if (outcome.failed > 0) {
    throw new Error(`${name}: ${outcome.failed} load devices did not connect: ${outcome.errors[0] ?? ''}`);
  }
  return { load, rt };
}

export async function hubTraffic(ctx: BenchContext, cpuProfileDir?: string): Promise<TrafficTarget> {
  const hub = await startHub(
    {
      root: ctx.root,
      adminToken: ctx.adminToken,
      onUnexpectedExit: (detail) => ctx.progress(detail),
      ...(cpuProfileDir !== undefined ? { cpuProfileDir } : {}),
    },
    ctx.cleanup,
  );
  const generators: Generator[] = [];
  try {
    const api = new HubApi(hub.httpUrl, ctx.adminToken);
    const provisioned = await provisionFleet(api, ctx.root, ctx.config.ingest.devices + 1);
    const rtDevice = provisioned.pop();
    if (rtDevice === undefined) throw new Error('no device provisioned');
    const user = await createUser(api);
    await claimDevice(api, user, rtDevice);
    const endpoint = { host: '127.0.0.1', port: hub.mqttPort };
    const { load, rt } = await connectLoad(
      ctx,
      'ecohub',
      endpoint,
      provisioned.map((d) => ({ did: d.id, clientId: d.id, username: d.id, password: d.secret })),
    );
    generators.push(load, rt);
    const parties: RoundTripParties = {
      phone: {
        clientId: `app/${user.id}/bench-${randomBytes(4).toString('hex')}`,
        username: 'token',
        password: user.token,
      },
      device: { clientId: rtDevice.id, username: rtDevice.id, password: rtDevice.secret },
      phoneCommandTopic: `app/${user.id}/cmd`,
      phoneReplyTopic: `app/${user.id}/replies`,
      deviceCommandTopic: `dev/${rtDevice.id}/cmd`,
      deviceReplyTopic: `dev/${rtDevice.id}/replies`,
    };
    await rt.call({ op: 'rtSetup', endpoint, parties }, SETUP_TIMEOUT_MS);
    return {
      name: 'ecohub',
      serverPid: hub.pid,
      load,
      rt,
      sink: undefined,
      rtDid: rtDevice.id,
      api,
      async close() {
        await Promise.all([load.close(), rt.close()]);
        await hub.stop();
      },
    };
  } catch (error) {
    await Promise.all(generators.map((g) => g.close()));
    await hub.stop();
    throw error;
  }
}

export async function mosquittoTraffic(ctx: BenchContext): Promise<TrafficTarget> {
  const binary = ctx.mosquitto;
  if (binary === undefined) throw new Error('mosquitto is not installed');
  const broker = await startMosquitto(binary, ctx.cleanup);
  const generators: Generator[] = [];
  try {
    const endpoint = { host: '127.0.0.1', port: broker.port };
    const sink = Generator.start('mosquitto-sink', ctx.workerPath, ctx.cleanup);
    generators.push(sink);
    const { granted } = await sink.call(
      { op: 'sinkStart', endpoint, filter: 'dev/+/props' },
      SETUP_TIMEOUT_MS,
    );
    if (granted[0] !== 1) throw new Error(`mosquitto refused the subscriber: ${granted.join(',')}`);
    const devices = Array.from({ length: ctx.config.ingest.devices }, () => {
      const did = randomBytes(8).toString('hex');
      return { did, clientId: did };
    });
    const { load, rt } = await connectLoad(ctx, 'mosquitto', endpoint, devices);
    generators.push(load, rt);
    const did = randomBytes(8).toString('hex');
    const uid = randomBytes(8).toString('hex');
    // The same topics and payloads as through the hub, relayed as they are.
    const parties: RoundTripParties = {
      phone: { clientId: `bench-phone-${uid}` },
      device: { clientId: did },
      phoneCommandTopic: `dev/${did}/cmd`,
      phoneReplyTopic: `app/${uid}/replies`,
      deviceCommandTopic: `dev/${did}/cmd`,
      deviceReplyTopic: `app/${uid}/replies`,
    };
    await rt.call({ op: 'rtSetup', endpoint, parties }, SETUP_TIMEOUT_MS);
    return {
      name: 'mosquitto',
      serverPid: broker.pid,
      load,
      rt,
      sink,
      rtDid: did,
      api: undefined,
      async close() {
        await Promise.all([load.close(), rt.close(), sink.close()]);
        await broker.stop();
      },
    };
  } catch (error) {
    await Promise.all(generators.map((g) => g.close()));
    await broker.stop();
    throw error;
  }
}
