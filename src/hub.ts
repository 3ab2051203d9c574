import type { Logger } from 'pino';
import { buildApi } from './api/app.js';
import { hubRoutes } from './api/hub-routes.js';
import { healthRoutes } from './api/routes/health.js';
import type { App } from './api/types.js';
import { MqttBroker } from './broker/broker.js';
import { brokerDeviceLink } from './broker/device-link.js';
import { bridgeRegistryToBroker } from './broker/registry-bridge.js';
import { certificationFirmwareLink } from './certification/firmware-adapter.js';
import { publishRunProgress } from './certification/progress.js';
import { QualityRecorder } from './certification/quality/recorder.js';
import { ScorecardService } from './certification/quality/scorecards.js';
import { CertificationService } from './certification/service.js';
import type { Cluster } from './cluster/index.js';
import { brokerCluster, clusterPolicy, routeCommand } from './cluster/wiring.js';
import { fulfilThroughOrders, preorderLinksThroughOrders } from './commerce/flash-fulfil.js';
import { FlashService } from './commerce/flash-service.js';
import { CommerceService } from './commerce/service.js';
import type { Community } from './community/index.js';
import { wireCommunity } from './community/wiring.js';
import { DATABASE_FILE, type HubInput, type HubOptions, resolveOptions } from './config.js';
import { linkFirmwareToRegistry } from './firmware/registry-link.js';
import { Firmware } from './firmware/service.js';
import { ADMIN_TOKEN_PREFIX, IdentityService, USER_TOKEN_PREFIX } from './identity/service.js';
import { type Limits, localLimits } from './limits.js';
import { createLogger } from './log.js';
import { HubMetrics } from './metrics.js';
import { LedgerService } from './partners/ledger.js';
import { API_KEY_PREFIX, PartnerService } from './partners/service.js';
import { StatementService } from './partners/statements.js';
import { createAccessPolicy } from './registry/access-policy.js';
import { type Control, createControl } from './registry/control/index.js';
import { DeviceDirectory } from './registry/devices/directory.js';
import { DeviceService } from './registry/devices/service.js';
import { findDevice, findModelVersion } from './registry/devices/store.js';
import { createRegistryBus, type RegistryBus } from './registry/events.js';
import { HomeService } from './registry/homes/service.js';
import { findModelSpec, ModelService } from './registry/models/service.js';
import { PartnerAccess } from './registry/partner-access.js';
import type { ModelSpec } from './registry/spec/index.js';
import { SpecCache } from './registry/spec-cache.js';
import { TelemetryService } from './registry/telemetry/service.js';
import { IngestWriter } from './registry/telemetry/writer.js';
import type { Engine, Queryable } from './store/engine.js';
import { ensurePrivateDir } from './store/files.js';
import { runMigrations } from './store/migration-runner.js';
import { openEngine } from './store/open.js';
import { VERSION } from './version.js';

export { DATABASE_FILE };

export interface Hub {
  readonly options: HubOptions;
  readonly log: Logger;
  /** The store engine (SQLite or PostgreSQL, from --database) every domain's store runs on. */
  readonly store: Engine;
  readonly httpPort: number;
  readonly mqttPort: number;
  /** http://host:port of the REST API (publicUrl when set). */
  readonly httpUrl: string;
  readonly mqttUrl: string;
  readonly wsUrl: string;
  /** The operator token minted on first start, to be shown once; undefined on later starts. */
  readonly bootstrapAdminToken: string | undefined;
  readonly identities: IdentityService;
  readonly devices: DeviceService;
  readonly telemetry: TelemetryService;
  readonly metrics: HubMetrics;
  readonly control: Control;
  /** The MQTT broker (in-process observers and tests; clients reach it over TCP and WebSocket). */
  readonly broker: MqttBroker;
  /** Registry events (presence, reports, events, revocations), for in-process observers. */
  readonly events: RegistryBus;
  readonly partners: PartnerService;
  readonly models: ModelService;
  /** The sales channel: catalog, orders, payments, refunds, activations (docs/commerce.md). */
  readonly commerce: CommerceService;
  /** Flash sales, registrations, priority codes, the waitlist (docs/flash-sales.md). */
  readonly flash: FlashService;
  /** Homes, rooms, members and device placement. */
  readonly homes: HomeService;
  /** Co-creation: owners' posts and votes per model, release links, inboxes (docs/community.md). */
  readonly community: Community;
  /** Firmware packages, rollouts, executions and the beta channel (docs/ota.md). */
  readonly firmware: Firmware;
  /** Certification runs against live devices, signed reports (docs/certification.md). */
  readonly certification: CertificationService;
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
    const storeLog = log.child({ module: 'store' });
    const { looseMode } = ensurePrivateDir(options.dataDir);
    if (looseMode !== undefined) {
      storeLog.warn(
        { dataDir: options.dataDir, mode: looseMode.toString(8) },
        'the data folder is open to other local users; chmod 700 it',
      );
    }
    const store = await openEngine(options.database, { log: storeLog, poolSize: options.databasePoolSize });
    started.push(() => store.close());
    const migration = await runMigrations(store);
    storeLog.info({ ...migration, database: store.target, version: store.serverVersion }, 'database ready');

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
    // Set once the registry is built: a new account takes over the shares waiting for its email.
    let registered: (user: { id: string; email: string }) => Promise<void> = async () => undefined;
    const identities = new IdentityService({
      store,
      log: log.child({ module: 'identity' }),
      now: options.now,
      tokenTtlMs: options.tokenTtlMs,
      limits,
      registrationLimit: {
        perAddress: options.limits.registrationsPerAddress,
        windowMs: options.limits.registrationWindowMs,
      },
      onRegistered: (user) => registered(user),
      onRevoke: (revocation) => bus.emit('revokeUser', revocation),
      // Bound below, once bindings and homes exist; account deletion runs only after the hub started.
      releaseAccount: (tx, userId) => releaseAccount(tx, userId),
    });
    await identities.open();
    started.push(() => identities.close());
    // A revocation on another node (relayed in cluster mode) ends the token's use here too.
    bus.on('revokeUser', (revocation) => identities.forget(revocation));
    const bootstrapAdminToken = await identities.operators.bootstrap(options.adminToken);
    const partners = new PartnerService({
      store,
      log: log.child({ module: 'partners' }),
      now: options.now,
      onKeyRevoked: (revocation) => bus.emit('revokePartnerKey', revocation),
    });
    const models = new ModelService({ store, log: log.child({ module: 'models' }), now: options.now });

    // Commerce and ledger writes are durable transactions (fsynced at commit on SQLite too): a paid
    // order and its ledger entries survive power loss, not only a crash (docs/commerce.md, "Durability").
    const ledger = new LedgerService({
      store,
      log: log.child({ module: 'ledger' }),
      now: options.now,
    });
    const commerce = new CommerceService({
      store,
      log: log.child({ module: 'commerce' }),
      now: options.now,
      settings: options.commerce,
      ledger,
      rateAt: (partnerId, atMs, tx) => partners.rateAt(partnerId, atMs, tx),
      webhookSecret: options.paymentWebhookSecret,
    });
    started.push(() => commerce.close());
    const statements = new StatementService({
      store,
      log: log.child({ module: 'statements' }),
      now: options.now,
      activations: commerce.activations,
      deposits: {
        depositTotals: (partnerId, month) => flash.preorders.depositTotals(partnerId, month),
        partnersWithDeposits: (month) => flash.preorders.partnersWithDeposits(month),
      },
    });
    // Submitted and later versions are immutable, so a compiled spec never goes stale.
    const specs = new SpecCache(async (modelId, version) => {
      const row = await findModelVersion(store, modelId, version);
      return row ? (JSON.parse(row.document) as ModelSpec) : undefined;
    });
    const directory = new DeviceDirectory(store, options.limits.cachedDevices);
    await directory.start(log.child({ module: 'devices' }));
    started.push(() => directory.close());
    // Opened once metrics exist (below); the device service asks it about other nodes' devices.
    let cluster: Cluster | undefined;
    const devices = new DeviceService({
      store,
      log: log.child({ module: 'devices' }),
      bus,
      specs,
      directory,
      now: options.now,
      sharedPresence: options.cluster !== undefined,
      onlineElsewhere: (deviceId) => cluster?.node.onlineElsewhere(deviceId) !== undefined,
    });
    await devices.start();
    started.push(() => devices.close());
    let connectionCount = () => 0;
    const metrics = new HubMetrics(
      () => connectionCount(),
      () => devices.onlineCount,
    );
    metrics.loopDelay.start();
    started.push(() => metrics.loopDelay.stop());
    const flashRateAt = (partnerId: string, atMs: number, tx: Queryable) =>
      partners.rateAt(partnerId, atMs, tx);
    const flash = new FlashService({
      store,
      log: log.child({ module: 'flash' }),
      now: options.now,
      settings: options.flash,
      skuOf: (caller, skuId) => commerce.catalog.sku(caller, skuId),
      fulfil: fulfilThroughOrders({ ...commerce, now: options.now }),
      preorderLinks: preorderLinksThroughOrders({
        ...commerce,
        ledger,
        rateAt: flashRateAt,
        now: options.now,
      }),
      rateAt: flashRateAt,
      registry: metrics.registry,
      limits,
    });
    started.push(() => flash.close());
    let firmwareBaseUrl = '';
    const firmwareLog = log.child({ module: 'firmware' });
    const firmware = await Firmware.open({
      store,
      log: firmwareLog,
      now: options.now,
      dataDir: options.dataDir,
      settings: options.firmware,
      registry: metrics.registry,
      httpUrl: () => firmwareBaseUrl,
      // The broker is built below; offers only go out once the scheduler starts, after it listens.
      toDevice: (deviceId, message) => publishJson(`dev/${deviceId}/ota`, message),
      releaseGate: options.certificationFirmwareGate
        ? (modelId, specVersion, version) =>
            certification.decisions.requireForRollout(modelId, specVersion, version)
        : undefined,
      setSpecVersion: (deviceId, version) => devices.setModelVersion(deviceId, version),
      toOwner: (userId, notice) => publishJson(`app/${userId}/firmware`, notice),
    });
    started.push(() => firmware.stop());
    started.push(linkFirmwareToRegistry(bus, firmware.engine, firmwareLog));
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
    const writer = new IngestWriter({
      store,
      bus,
      log: log.child({ module: 'ingest' }),
      now: options.now,
      sharedDatabase: options.cluster !== undefined,
      observer: {
        batch(size, seconds) {
          metrics.ingestBatchSize.observe(size);
          metrics.ingestWrite.observe(seconds);
        },
      },
    });
    started.push(() => writer.close());
    const quality = new QualityRecorder({
      store,
      log: log.child({ module: 'quality' }),
      owner: async (deviceId) => {
        const row = await findDevice(store, deviceId);
        return row && { modelId: row.model_id, partnerId: row.partner_id };
      },
      now: options.now,
      registry: metrics.registry,
    });
    started.push(() => quality.close());
    bus.on('presence', ({ deviceId, online, at }) => quality.presence(deviceId, online, at));
    const telemetry = new TelemetryService({
      store,
      log: log.child({ module: 'telemetry' }),
      writer,
      metrics,
      now: options.now,
      onRejected: (deviceId, reason) => quality.rejected(deviceId, reason),
    });

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
      sales: commerce,
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
    // Inside the account deletion's transaction: the account and what it held go together.
    const releaseAccount = async (tx: Queryable, userId: string) => {
      const bound = await control.bindings.releaseUser(tx, userId);
      const affected = new Set([...bound.affected, ...(await homes.releaseUser(tx, userId))]);
      await control.access.notify(tx, affected);
      return {
        devices: bound.devices,
        committed: async () => {
          control.commands.forgetUser(userId);
          await control.access.changed(affected);
        },
      };
    };
    let publishJson: (topic: string, body: unknown) => void = () => undefined;

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
    publishJson = (topic, body) => {
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
      store,
      log,
      options,
      bus,
      devices,
      control,
      models,
      telemetry,
      firmware,
      metrics,
      publishJson,
      started,
    });
    const certification = new CertificationService({
      store,
      log: log.child({ module: 'certification' }),
      link: brokerDeviceLink(broker, (deviceId) => devices.isOnline(deviceId)),
      registry: {
        modelVersion: (modelId, version) => findModelSpec(store, modelId, version),
        device: async (deviceId) => {
          const row = await findDevice(store, deviceId);
          return row && { partnerId: row.partner_id, modelId: row.model_id, version: row.model_version };
        },
      },
      scorecards: new ScorecardService(store, options.now, () => quality.flush()),
      firmware: certificationFirmwareLink(
        firmware,
        store,
        () => firmwareBaseUrl,
        (t, b) => publishJson(t, b),
      ),
      metrics: metrics.registry,
      hubVersion: VERSION,
      now: options.now,
    });
    await certification.start();
    started.push(
      publishRunProgress(certification.events, {
        publish: publishJson,
        watched: (t) => broker.watched(t),
        metrics: metrics.registry,
      }),
    );

    const app: App = await buildApi(
      {
        log: log.child({ module: 'http' }),
        auth: {
          resolvers: {
            [USER_TOKEN_PREFIX]: identities.resolveUserToken,
            [ADMIN_TOKEN_PREFIX]: identities.operators.resolve,
            [API_KEY_PREFIX]: partners.resolveApiKey,
          },
          fallback: identities.operators.resolve,
        },
        publicUrl: options.publicUrl,
        bodyLimit: options.limits.httpBodyBytes,
        trustProxy: options.trustProxy,
        version: VERSION,
      },
      (api) => {
        healthRoutes(api, {
          notReady: () => {
            const missing: string[] = [];
            if (!broker.listening) missing.push('mqtt');
            if (member) missing.push(...member.notReady());
            return missing;
          },
          ...(member ? { node: () => ({ id: member.node.id, nodesAlive: member.node.nodesAlive }) } : {}),
        });
        hubRoutes(api, {
          options,
          store,
          identities,
          devices,
          telemetry,
          control,
          homes,
          metrics,
          partners,
          models,
          certification,
          commerce,
          ledger,
          statements,
          flash,
          community,
          firmware,
        });
      },
    );
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
      options,
      log,
      store,
      httpPort,
      mqttPort,
      ...hubUrls,
      bootstrapAdminToken,
      identities,
      partners,
      models,
      commerce,
      flash,
      homes,
      community,
      firmware,
      certification,
      cluster,
      devices,
      telemetry,
      metrics,
      events: bus,
      control,
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
