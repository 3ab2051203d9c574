import type { Logger } from 'pino';
import { buildHubApi, type HubServices } from './api/hub-routes.js';
import type { App } from './api/types.js';
import { MqttBroker } from './broker/broker.js';
import { brokerDeviceLink } from './broker/device-link.js';
import { bridgeRegistryToBroker } from './broker/registry-bridge.js';
import { wireCertification, wireQuality } from './certification/wiring.js';
import type { Cluster } from './cluster/index.js';
import { brokerCluster, clusterPolicy, routeCommand } from './cluster/wiring.js';
import { wireCommerce } from './commerce/wiring.js';
import { wireCommunity } from './community/wiring.js';
import { DATABASE_FILE, type HubInput, resolveOptions } from './config.js';
import { wireFirmware } from './firmware/wiring.js';
import type { HubContext } from './hub-context.js';
import { wireIdentities } from './identity/wiring.js';
import { type Limits, localLimits } from './limits.js';
import { createLogger } from './log.js';
import { HubMetrics } from './metrics.js';
import { PartnerService } from './partners/service.js';
import { createAccessPolicy } from './registry/access-policy.js';
import { registryAccountRelease } from './registry/account-release.js';
import { createControl } from './registry/control/index.js';
import { wireDevices } from './registry/devices/wiring.js';
import { createRegistryBus, type RegistryBus } from './registry/events.js';
import { HomeService } from './registry/homes/service.js';
import { ModelService } from './registry/models/service.js';
import { PartnerAccess } from './registry/partner-access.js';
import { wireTelemetry } from './registry/telemetry/wiring.js';
import { openHubStore } from './store/hub-store.js';
import { VERSION } from './version.js';

export { DATABASE_FILE };

/** A running hub: its domain services (HubServices), its broker and bus, where it listens. */
export interface Hub extends HubServices {
  readonly log: Logger;
  readonly httpPort: number;
  readonly mqttPort: number;
  /** http://host:port of the REST API (publicUrl when set). */
  readonly httpUrl: string;
  readonly mqttUrl: string;
  readonly wsUrl: string;
  /** The operator token minted on first start, to be shown once; undefined on later starts. */
  readonly bootstrapAdminToken: string | undefined;
  /** The MQTT broker (in-process observers and tests; clients reach it over TCP and WebSocket). */
  readonly broker: MqttBroker;
  /** Registry events (presence, reports, events, revocations), for in-process observers. */
  readonly events: RegistryBus;
  /** This node's membership of the cluster (--cluster); undefined for a single hub. */
  readonly cluster: Cluster | undefined;
  close(): Promise<void>;
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The composition root: opens the store, builds the domain services, the broker and the API, and
 * wires them together. The CLI and the tests both start the hub through here.
 */
export async function createHub(input: HubInput = {}): Promise<Hub> {
  const options = resolveOptions(input);
  const log = options.logger ?? createLogger(options.logLevel);
  const started: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop();
  };

  try {
    if (options.cluster && options.database.kind === 'sqlite') {
      throw new Error(
        'cluster mode (--cluster) needs the shared PostgreSQL database of the cluster (--database postgres://...): ' +
          'a SQLite file belongs to one machine, and nodes on it would each keep their own truth',
      );
    }
    const store = await openHubStore(
      { dataDir: options.dataDir, database: options.database, poolSize: options.databasePoolSize },
      log.child({ module: 'store' }),
    );
    started.push(() => store.close());
    const bus = createRegistryBus();
    // Cluster mode: abuse limits count in Redis, one budget however many nodes a client uses.
    let limits: Limits = localLimits(options.now);
    if (options.cluster) {
      const { openSharedLimits } = await import('./cluster/limits.js');
      const shared = await openSharedLimits({
        redisUrl: options.cluster.redisUrl,
        log: log.child({ module: 'cluster', part: 'limits' }),
        now: options.now,
      });
      started.push(() => shared.close());
      limits = shared;
    }
    // Set once the broker is built (below): until then a publish goes nowhere.
    let publish: (topic: string, body: unknown) => void = () => undefined;
    const context: HubContext = { options, log, store, bus, started, publishJson: (t, b) => publish(t, b) };
    const { publishJson } = context;
    // Set once the registry is built: a new account takes over the shares waiting for its email.
    let registered: (user: { id: string; email: string }) => Promise<void> = async () => undefined;
    const identities = await wireIdentities({
      ...context,
      limits,
      onRegistered: (user) => registered(user),
      // Bound below, once bindings and homes exist; account deletion runs only after the hub started.
      releaseAccount: (tx, userId) => releaseAccount(tx, userId),
    });
    const bootstrapAdminToken = await identities.operators.bootstrap(options.adminToken);
    const partners = new PartnerService({
      store,
      log: log.child({ module: 'partners' }),
      now: options.now,
      onKeyRevoked: (revocation) => bus.emit('revokePartnerKey', revocation),
    });
    const models = new ModelService({ store, log: log.child({ module: 'models' }), now: options.now });
    // Opened once metrics exist (below); the device service asks it about other nodes' devices.
    let cluster: Cluster | undefined;
    const devices = await wireDevices({
      ...context,
      onlineElsewhere: (deviceId) => cluster?.node.onlineElsewhere(deviceId) !== undefined,
    });
    let connectionCount = () => 0;
    const metrics = new HubMetrics(
      () => connectionCount(),
      () => devices.onlineCount,
    );
    metrics.loopDelay.start();
    started.push(() => metrics.loopDelay.stop());
    const sales = wireCommerce({ ...context, partners, metrics, limits });
    let firmwareBaseUrl = '';
    const firmware = await wireFirmware({
      ...context,
      devices,
      metrics,
      httpUrl: () => firmwareBaseUrl,
      requireCertified: (modelId, specVersion, version) =>
        certification.decisions.requireForRollout(modelId, specVersion, version),
    });
    if (options.cluster) {
      // Loaded only in cluster mode: a single hub (and every CLI command) never loads the Redis client.
      const { openCluster } = await import('./cluster/index.js');
      cluster = await openCluster({
        options: options.cluster,
        log: log.child({ module: 'cluster', node: options.cluster.nodeId }),
        bus,
        registry: metrics.registry,
        commandTtlMs: options.commandTimeoutMs + 60_000,
        queue: {
          maxQueuedPerClient: options.limits.maxQueuedPerSession,
          onDropped: () => metrics.queueDropped.inc(),
        },
      });
      const member = cluster;
      started.push(() => member.close());
    }
    const telemetry = wireTelemetry({
      ...context,
      metrics,
      onRejected: (deviceId, reason) => quality.rejected(deviceId, reason),
    });
    const quality = wireQuality({ ...context, metrics });

    const control = createControl({
      store,
      log: log.child({ module: 'control' }),
      bus,
      now: options.now,
      specOf: (deviceId) => devices.specOf(deviceId),
      isOnline: (deviceId) => devices.isOnline(deviceId),
      commandTimeoutMs: options.commandTimeoutMs,
      commandLimits: {
        ratePerSec: options.limits.commandRatePerSec,
        burst: 2 * options.limits.commandRatePerSec,
        idsPerUser: options.limits.commandIdsPerUser,
        idsTotal: options.limits.commandIdsTotal,
        pendingPerDevice: options.limits.pendingCommandsPerDevice,
      },
      sharedLimits: limits,
      sales: sales.commerce,
      reportedOf: (deviceId) => devices.reportedJson(deviceId),
      commandOutcomes: quality,
      // The broker is built next; commands only flow once it listens.
      transport: {
        toDevice: (deviceId, command) => {
          const send = () => publishJson(`dev/${deviceId}/cmd`, command);
          if (!cluster) return send();
          routeCommand(
            cluster,
            { isLocal: (id) => devices.isLocal(id), ttlMs: options.commandTimeoutMs + 5000, log },
            deviceId,
            command.id,
            send,
          );
        },
        toUser: (userId, reply) => {
          cluster?.pending.answered(userId, reply.id);
          publishJson(`app/${userId}/replies`, reply);
        },
      },
    });
    await control.start();
    started.push(() => control.close());
    const homes = new HomeService({
      store,
      log: log.child({ module: 'homes' }),
      access: control.access,
      now: options.now,
    });
    registered = (user) => control.bindings.acceptInvitations(user.id, user.email);
    const releaseAccount = registryAccountRelease(control, homes);

    // Partner MQTT sessions watch their certification runs (docs/protocol.md, "Partners").
    const partnerAccess = new PartnerAccess({
      resolveKey: partners.resolveApiKey,
      now: options.now,
      metrics: metrics.registry,
    });
    bus.on('revokePartnerKey', ({ keyId }) => partnerAccess.revoke(keyId));
    const policy = createAccessPolicy({
      identities,
      devices,
      telemetry,
      control,
      now: options.now,
      countPublish: (kind) => metrics.messagesIn.inc({ topic: kind }),
      otaProgress: (deviceId, payload) => firmware.engine.progress(deviceId, payload),
      partners: partnerAccess,
    });
    const broker = new MqttBroker({
      log: log.child({ module: 'broker' }),
      policy: cluster
        ? clusterPolicy(policy, cluster, {
            toUser: (userId, reply) => publishJson(`app/${userId}/replies`, reply),
            log: log.child({ module: 'cluster' }),
          })
        : policy,
      ...(cluster ? { cluster: brokerCluster(cluster, log.child({ module: 'cluster' })) } : {}),
      onDelivered: () => metrics.messagesOut.inc(),
      maxPacketBytes: options.limits.maxPacketBytes,
      connectTimeoutMs: options.limits.connectTimeoutMs,
      maxConnections: options.limits.maxConnections,
      maxSubscriptionsPerSession: options.limits.maxSubscriptionsPerSession,
      maxQueuedPerSession: options.limits.maxQueuedPerSession,
      maxPersistentSessionsPerUser: options.limits.maxPersistentSessionsPerUser,
      onQueueDropped: () => metrics.queueDropped.inc(),
      admission: {
        maxPendingPerAddress: options.limits.maxPendingPerAddress,
        connectRatePerAddress: options.limits.connectRatePerAddress,
        connectBurstPerAddress: 5 * options.limits.connectRatePerAddress,
        now: options.now,
      },
      trustProxy: options.trustProxy,
      wsPath: '/mqtt',
    });
    connectionCount = () => broker.connectionCount;
    publish = (topic, body) => {
      broker.publish(topic, JSON.stringify(body), { qos: 1 }).catch((err: unknown) => {
        log.warn({ err, topic }, 'hub publish failed');
      });
    };
    const member = cluster;
    bridgeRegistryToBroker({
      bus,
      broker,
      log: log.child({ module: 'bridge' }),
      ...(member ? { movedAway: (deviceId: string) => member.node.movedAway(deviceId) } : {}),
    });

    const community = await wireCommunity({
      ...context,
      devices,
      control,
      models,
      telemetry,
      firmware,
      metrics,
    });
    const certification = await wireCertification({
      ...context,
      metrics,
      link: brokerDeviceLink(broker, (deviceId) => devices.isOnline(deviceId)),
      watched: (topic) => broker.watched(topic),
      quality,
      firmware,
      httpUrl: () => firmwareBaseUrl,
    });

    const services: HubServices = {
      options,
      store,
      identities,
      partners,
      models,
      devices,
      telemetry,
      control,
      homes,
      metrics,
      ...sales,
      firmware,
      community,
      certification,
    };
    const app: App = await buildHubApi(services, log, {
      notReady: () => {
        const missing: string[] = [];
        if (!broker.listening) missing.push('mqtt');
        if (member) missing.push(...member.notReady());
        return missing;
      },
      ...(member ? { node: () => ({ id: member.node.id, nodesAlive: member.node.nodesAlive }) } : {}),
    });
    started.push(() => app.close());
    // Stopped before the HTTP server: its close() waits for the upgraded MQTT-over-WebSocket sockets.
    started.push(() => broker.close());
    // Runs end (cancelled) before the broker they talk through closes.
    started.push(() => certification.close());
    await app.ready();
    if (member) {
      await member.start({
        closeOlder: (clientId, epoch) => broker.closeOlder(clientId, epoch),
        deviceLost: (deviceId) => devices.ownerLost(deviceId),
        replyFromDevice: (deviceId, payload) => control.commands.fromDevice(deviceId, payload),
        localSessions: () => broker.localEpochs(),
      });
    }
    broker.attachWebSocket(app.server);
    await app.listen({
      host: options.host,
      port: options.httpPort,
      listenTextResolver: (address) => `http listening on ${address}`,
    });
    const httpAddress = app.server.address();
    const httpPort = typeof httpAddress === 'object' && httpAddress ? httpAddress.port : options.httpPort;
    const mqttPort = await broker.listen(options.host, options.mqttPort);

    const host = displayHost(options.host);
    const httpUrl = options.publicUrl ?? `http://${host}:${httpPort}`;
    const hubUrls = {
      httpUrl,
      mqttUrl: `mqtt://${host}:${mqttPort}`,
      wsUrl: `${httpUrl.replace(/^http/, 'ws')}/mqtt`,
    };
    firmwareBaseUrl = hubUrls.httpUrl;
    await firmware.start();
    log.info({ host: options.host, httpPort, mqttPort, ...hubUrls, version: VERSION }, 'hub listening');

    let closing: Promise<void> | undefined;
    return {
      ...services,
      log,
      httpPort,
      mqttPort,
      ...hubUrls,
      bootstrapAdminToken,
      cluster,
      events: bus,
      broker,
      close() {
        closing ??= stopAll().then(() => log.info('hub stopped'));
        return closing;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
