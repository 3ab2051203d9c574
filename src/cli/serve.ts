import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLUSTER_DEFAULTS,
  ClusterUrlError,
  checkNodeId,
  defaultNodeId,
  describeRedis,
  parseRedisUrl,
} from '../cluster/options.js';
import { DEFAULTS, type HubInput, type HubLimits } from '../config.js';
import { createHub, type Hub } from '../hub.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { describeTarget } from '../store/database-url.js';
import { databasePoolSize, databaseTarget } from './database-flag.js';
import { firmwareOptions, parseDuration } from './firmware-flags.js';
import {
  type FlagSpec,
  formatHelp,
  parseFlags,
  parsePort,
  parsePositiveInt,
  parseSwitch,
  pick,
  UsageError,
} from './flags.js';
import type { CliIo } from './io.js';
import { serveEnvOnly, serveFlags } from './serve-flags.js';

export { serveEnvOnly, serveFlags } from './serve-flags.js';

export const SERVE_HELP = formatHelp(
  'ecohub serve [options]',
  'Runs the hub: MQTT broker, REST API with OpenAPI at /openapi.json and Swagger UI at /docs.\n' +
    'Each option may also be given by its environment variable; a flag wins over the variable.\n' +
    'Environment only:\n' +
    serveEnvOnly.map((v) => `  ${v.env}: ${v.help}`).join('\n'),
  serveFlags,
);

function flag(name: string): FlagSpec {
  const spec = serveFlags.find((f) => f.name === name);
  if (!spec) throw new Error(`unknown flag ${name}`);
  return spec;
}

/** Turns flags and environment into hub options; every bad value is a UsageError naming its flag. */
export function serveOptions(argv: readonly string[], env: NodeJS.ProcessEnv): HubInput | 'help' {
  const { values } = parseFlags(argv, serveFlags);
  if (values['help']) return 'help';
  const get = (name: string) => pick(values, flag(name), env);
  const input: { -readonly [K in keyof HubInput]: HubInput[K] } = {};
  const limits: { -readonly [K in keyof HubLimits]?: HubLimits[K] } = {};

  const dataDir = get('data-dir');
  if (dataDir) {
    if (dataDir.value.trim() === '') throw new UsageError(`${dataDir.source} must not be empty`);
    input.dataDir = dataDir.value;
  }
  const database = get('database');
  if (database) input.database = databaseTarget(database, input.dataDir ?? DEFAULTS.dataDir);
  const poolSize = databasePoolSize(
    get('database-pool-size'),
    input.database ?? databaseTarget(undefined, input.dataDir ?? DEFAULTS.dataDir),
  );
  if (poolSize !== undefined) input.databasePoolSize = poolSize;
  const host = get('host');
  if (host) {
    if (!/^[A-Za-z0-9.:-]+$/.test(host.value))
      throw new UsageError(`${host.source} must be a host name or IP address, got '${host.value}'`);
    input.host = host.value;
  }
  const httpPort = get('http-port');
  if (httpPort) input.httpPort = parsePort(httpPort);
  const mqttPort = get('mqtt-port');
  if (mqttPort) input.mqttPort = parsePort(mqttPort);
  const publicUrl = get('public-url');
  if (publicUrl) {
    let url: URL;
    try {
      url = new URL(publicUrl.value);
    } catch {
      throw new UsageError(`${publicUrl.source} must be an absolute http(s) URL, got '${publicUrl.value}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`${publicUrl.source} must be an http or https URL, got '${publicUrl.value}'`);
    }
    input.publicUrl = publicUrl.value.replace(/\/+$/, '');
  }
  const level = get('log-level');
  if (level) {
    if (!(LOG_LEVELS as readonly string[]).includes(level.value)) {
      throw new UsageError(`${level.source} must be one of ${LOG_LEVELS.join(', ')}, got '${level.value}'`);
    }
    input.logLevel = level.value as LogLevel;
  }
  const maxConnections = get('max-connections');
  if (maxConnections) limits.maxConnections = parsePositiveInt(maxConnections, 1_000_000);
  const maxPacket = get('max-packet-size');
  if (maxPacket) limits.maxPacketBytes = parsePositiveInt(maxPacket, 256 * 1024 * 1024);
  const maxPending = get('max-pending-per-address');
  if (maxPending) limits.maxPendingPerAddress = parsePositiveInt(maxPending, 1_000_000);
  const connectRate = get('connect-rate-per-address');
  if (connectRate) limits.connectRatePerAddress = parsePositiveInt(connectRate, 1_000_000);
  const maxSubscriptions = get('max-subscriptions');
  if (maxSubscriptions) limits.maxSubscriptionsPerSession = parsePositiveInt(maxSubscriptions, 1_000_000);
  const maxQueued = get('max-queued-messages');
  if (maxQueued) limits.maxQueuedPerSession = parsePositiveInt(maxQueued, 1_000_000);
  const maxPersistent = get('max-persistent-sessions');
  if (maxPersistent) limits.maxPersistentSessionsPerUser = parsePositiveInt(maxPersistent, 10_000);
  const commandTimeout = get('command-timeout');
  if (commandTimeout) input.commandTimeoutMs = parsePositiveInt(commandTimeout, 300_000);
  const commandRate = get('command-rate');
  if (commandRate) limits.commandRatePerSec = parsePositiveInt(commandRate, 100_000);
  const registrations = get('max-registrations');
  if (registrations) limits.registrationsPerAddress = parsePositiveInt(registrations, 1_000_000);
  const flashRate = get('flash-rate-per-address');
  if (flashRate) {
    const rate = parsePositiveInt(flashRate, 1_000_000);
    input.flash = { addressRatePerSec: rate, addressBurst: 4 * rate };
  }
  const firmware = firmwareOptions(get);
  if (Object.keys(firmware).length > 0) input.firmware = firmware;
  const gate = get('firmware-certification-gate');
  if (gate) input.certificationFirmwareGate = parseSwitch(gate, ['on'], ['off']);
  const trustProxy = get('trust-proxy');
  if (trustProxy) input.trustProxy = parseSwitch(trustProxy, ['true', '1'], ['false', '0']);
  const cluster = get('cluster');
  const nodeId = get('node-id');
  const deadAfter = get('cluster-dead-after');
  if (cluster) {
    try {
      input.cluster = {
        redisUrl: parseRedisUrl(cluster.value),
        nodeId: nodeId ? checkNodeId(nodeId.value) : defaultNodeId(),
        ...CLUSTER_DEFAULTS,
        // At least two heartbeats (2 s each) must fit, so one late beat never kills a node.
        ...(deadAfter ? { deadAfterMs: parseDuration(deadAfter, 4000, 300_000) } : {}),
      };
    } catch (err) {
      if (err instanceof ClusterUrlError)
        throw new UsageError(
          `${err.message.startsWith('node id') ? nodeId?.source : cluster.source}: ${err.message}`,
        );
      throw err;
    }
  } else if (nodeId) {
    throw new UsageError(`${nodeId.source} needs --cluster (a single hub has no node id)`);
  } else if (deadAfter) {
    throw new UsageError(`${deadAfter.source} needs --cluster (a single hub has no peers)`);
  }
  const adminToken = env['ECOHUB_ADMIN_TOKEN'];
  if (adminToken !== undefined && adminToken !== '') {
    if (adminToken.length < 24)
      throw new UsageError('ECOHUB_ADMIN_TOKEN must be at least 24 characters long');
    input.adminToken = adminToken;
  }
  const webhookSecret = env['ECOHUB_PAYMENT_WEBHOOK_SECRET'];
  if (webhookSecret !== undefined && webhookSecret !== '') {
    if (webhookSecret.length < 16)
      throw new UsageError('ECOHUB_PAYMENT_WEBHOOK_SECRET must be at least 16 characters long');
    input.paymentWebhookSecret = webhookSecret;
  }
  return { ...input, limits };
}

function webAppBuilt(hub: Hub): boolean {
  return hub.options.webRoot !== null && existsSync(join(hub.options.webRoot, 'index.html'));
}

/** Runs until SIGINT/SIGTERM, then closes everything (bounded at 5 s) and resolves with the exit code. */
export async function runServe(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = serveOptions(argv, io.env);
  if (parsed === 'help') {
    io.stdout(SERVE_HELP);
    return 0;
  }
  const hub: Hub = await createHub(parsed);
  io.stderr(
    [
      '',
      `ecohub ${hub.httpUrl}`,
      `  Web app       ${hub.httpUrl}/${webAppBuilt(hub) ? '' : '   (not built: run npm run build)'}`,
      `  REST API      ${hub.httpUrl}/v1   (OpenAPI ${hub.httpUrl}/openapi.json)`,
      `  Swagger UI    ${hub.httpUrl}/docs`,
      `  MQTT (TCP)    ${hub.mqttUrl}`,
      `  MQTT (WS)     ${hub.wsUrl}`,
      `  database      ${describeTarget(hub.options.database)}`,
      ...(hub.options.cluster
        ? [
            `  cluster       ${describeRedis(hub.options.cluster.redisUrl)} as node ${hub.options.cluster.nodeId}`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  if (hub.bootstrapAdminToken) {
    io.stderr(
      [
        'An operator token was created for this new hub. It is shown only this once; store it now:',
        '',
        `  ${hub.bootstrapAdminToken}`,
        '',
        "Mint another at any time with 'ecohub admin token'.",
        '',
      ].join('\n'),
    );
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        hub.log.warn({ signal }, 'second signal: exiting now');
        resolve(1);
        return;
      }
      stopping = true;
      hub.log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        hub.log.error('shutdown took over 5 s: exiting');
        resolve(1);
      }, 5000);
      timer.unref();
      hub.close().then(
        () => {
          clearTimeout(timer);
          resolve(0);
        },
        (err: unknown) => {
          hub.log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
