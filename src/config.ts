import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ClusterOptions } from './cluster/options.js';
import { DEFAULT_FLASH, type FlashSettings } from './commerce/flash-settings.js';
import { DEFAULT_FIRMWARE, type FirmwareSettings } from './firmware/settings.js';
import type { LogLevel } from './log.js';
import type { DatabaseTarget } from './store/database-url.js';

/** Everything the hub can be told. The CLI maps flags and ECOHUB_* variables onto these. */
export interface HubOptions {
  /** Folder holding ecohub.db (created if missing). */
  readonly dataDir: string;
  /** Where the hub's state lives (--database): SQLite (default: dataDir/ecohub.db) or PostgreSQL. */
  readonly database: DatabaseTarget;
  /** PostgreSQL: connections this process keeps open to the database (--database-pool-size). */
  readonly databasePoolSize: number;
  readonly host: string;
  /** REST, OpenAPI, Swagger UI and MQTT over WebSocket (/mqtt). 0 = any free port. */
  readonly httpPort: number;
  /** MQTT over TCP. 0 = any free port. */
  readonly mqttPort: number;
  /** Base URL clients reach the HTTP listener at (behind a proxy); shown in OpenAPI `servers`. */
  readonly publicUrl?: string | undefined;
  readonly logLevel: LogLevel;
  /** A logger to use instead of creating one (tests pass a silent one). */
  readonly logger?: Logger | undefined;
  /** Adopted as an operator token on start (ECOHUB_ADMIN_TOKEN). */
  readonly adminToken?: string | undefined;
  readonly limits: HubLimits;
  /** User access token lifetime. */
  readonly tokenTtlMs: number;
  /** A device that does not answer a command within this gets the phone a DEVICE_TIMEOUT reply. */
  readonly commandTimeoutMs: number;
  readonly trustProxy: boolean;
  /** HMAC-SHA256 key the payment provider signs webhooks with (ECOHUB_PAYMENT_WEBHOOK_SECRET); unset = payments off. */
  readonly paymentWebhookSecret?: string | undefined;
  readonly commerce: CommerceSettings;
  /** Flash sales (docs/flash-sales.md). */
  readonly flash: FlashSettings;
  /** Firmware packages, downloads and rollouts (docs/ota.md). */
  readonly firmware: FirmwareSettings;
  /**
   * A firmware release of a certified model rolls out beyond beta only with a passing certification
   * run on it (docs/certification.md). Default true; tests of other domains turn it off.
   */
  readonly certificationFirmwareGate: boolean;
  /** The built web app served at `/` (docs/web.md); null serves none. Default: web/dist of this package. */
  readonly webRoot: string | null;
  /** Clock, injectable for tests. */
  readonly now: () => number;
  /** Cluster mode (--cluster redis://...): this hub is one node of several (docs/scaling.md). */
  readonly cluster?: ClusterOptions | undefined;
}

export interface HubLimits {
  readonly maxConnections: number;
  readonly maxPacketBytes: number;
  readonly connectTimeoutMs: number;
  readonly httpBodyBytes: number;
  /** MQTT connections one source address may hold before they authenticate (CONNACK 0). */
  readonly maxPendingPerAddress: number;
  /** New MQTT connections per source address per second; five times as many at once. */
  readonly connectRatePerAddress: number;
  /** Topic filters one MQTT session may hold; past it SUBACK 0x80. */
  readonly maxSubscriptionsPerSession: number;
  /** QoS 1 messages kept for one persistent MQTT session (cleanSession=0); past it new ones are dropped. */
  readonly maxQueuedPerSession: number;
  /** Persistent MQTT sessions (cleanSession=0) one user's phones may keep. */
  readonly maxPersistentSessionsPerUser: number;
  /** Commands per user per second on average (MQTT and REST together); twice as many at once. */
  readonly commandRatePerSec: number;
  /** Command ids remembered (for retries) per user, and for all users together. */
  readonly commandIdsPerUser: number;
  readonly commandIdsTotal: number;
  /** Commands waiting for one device's reply. */
  readonly pendingCommandsPerDevice: number;
  /** Account registrations one client address may attempt per `registrationWindowMs`, then 429. */
  readonly registrationsPerAddress: number;
  readonly registrationWindowMs: number;
  /** Devices whose credentials stay cached for CONNECT (least recently used leave first). */
  readonly cachedDevices: number;
  /** Community posts, comments and votes one user may write per hour (docs/community.md). */
  readonly communityPostsPerHour: number;
  readonly communityCommentsPerHour: number;
  readonly communityVotesPerHour: number;
}

export interface CommerceSettings {
  /** How long an order holds its stock while payment is awaited. */
  readonly paymentWindowMs: number;
  /** How long after payment the buyer may ask for a refund (the operator may refund later). */
  readonly returnWindowMs: number;
  /** How often expired reservations are swept back into stock. */
  readonly sweepIntervalMs: number;
}

export const DEFAULT_COMMERCE: CommerceSettings = {
  paymentWindowMs: 15 * 60_000,
  returnWindowMs: 14 * 24 * 3600_000,
  sweepIntervalMs: 30_000,
};

export const DEFAULT_LIMITS: HubLimits = {
  // 20,000 open files per process here; leave room for the database, HTTP and logs.
  maxConnections: 19_500,
  // Reports and commands are small JSON documents; 64 KiB is ample and bounds a client's buffer.
  maxPacketBytes: 64 * 1024,
  connectTimeoutMs: 10_000,
  // Every request body the API takes is a few hundred bytes to a few KiB (model documents have their
  // own 256 KiB limit). Parsing is the cost a bad client controls: V8 needs ~100 ms for one object
  // of 60,000 keys, so a body is refused (413) past this before it is read or parsed.
  httpBodyBytes: 64 * 1024,
  // A household or office behind one address signs up a few accounts, not hundreds (login allows
  // 30 failures per address in the same window).
  registrationsPerAddress: 20,
  registrationWindowMs: 15 * 60_000,
  // An owner files a few ideas a week, comments in threads, and votes through a model's list.
  communityPostsPerHour: 10,
  communityCommentsPerHour: 60,
  communityVotesPerHour: 200,
  // Enough for a busy NAT; one source can hold at most this many of the connection slots idle.
  maxPendingPerAddress: 100,
  // A NAT of 2,500 devices reconnecting at once, then 500 a second.
  connectRatePerAddress: 500,
  // A phone watches each of its devices with one filter (dev/{did}/+): room for a thousand devices.
  maxSubscriptionsPerSession: 1000,
  maxQueuedPerSession: 1000,
  maxPersistentSessionsPerUser: 10,
  // A slider dragged on a phone sends ~10 sets a second; automations rarely more.
  commandRatePerSec: 20,
  commandIdsPerUser: 256,
  // About 600 bytes each: the dedup memory stays under ~30 MB however many users send commands.
  commandIdsTotal: 50_000,
  // A device answers one command at a time; 16 waiting is a phone (or a script) not waiting for replies.
  pendingCommandsPerDevice: 16,
  // About 200 bytes each (~40 MB): a reconnect storm of this many devices reads nothing but once.
  cachedDevices: 200_000,
};

export const DEFAULTS = {
  dataDir: './data',
  host: '0.0.0.0',
  httpPort: 8080,
  mqttPort: 1883,
  logLevel: 'info' as LogLevel,
  tokenTtlMs: 30 * 24 * 3600_000,
  commandTimeoutMs: 5000,
  databasePoolSize: 10,
};

/** Most --database-pool-size: PostgreSQL's own default max_connections is 100 for all clients. */
export const MAX_DATABASE_POOL_SIZE = 1000;

export type HubInput = Partial<Omit<HubOptions, 'limits' | 'commerce' | 'flash' | 'firmware'>> & {
  readonly limits?: Partial<HubLimits>;
  readonly commerce?: Partial<CommerceSettings>;
  readonly flash?: Partial<FlashSettings>;
  readonly firmware?: Partial<FirmwareSettings>;
};

/** The SQLite file inside the data folder, the default database. */
export const DATABASE_FILE = 'ecohub.db';

/**
 * web/dist of the package this module belongs to: the folder above it holding package.json
 * (src/config.ts when run from source, dist/src/config.js when built).
 */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dir, 'web', 'dist');
}

export function resolveOptions(input: HubInput): HubOptions {
  const dataDir = input.dataDir ?? DEFAULTS.dataDir;
  return {
    dataDir,
    database: input.database ?? { kind: 'sqlite', file: join(dataDir, DATABASE_FILE) },
    databasePoolSize: input.databasePoolSize ?? DEFAULTS.databasePoolSize,
    host: input.host ?? DEFAULTS.host,
    httpPort: input.httpPort ?? DEFAULTS.httpPort,
    mqttPort: input.mqttPort ?? DEFAULTS.mqttPort,
    publicUrl: input.publicUrl,
    logLevel: input.logLevel ?? DEFAULTS.logLevel,
    logger: input.logger,
    adminToken: input.adminToken,
    limits: { ...DEFAULT_LIMITS, ...input.limits },
    tokenTtlMs: input.tokenTtlMs ?? DEFAULTS.tokenTtlMs,
    commandTimeoutMs: input.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
    trustProxy: input.trustProxy ?? false,
    paymentWebhookSecret: input.paymentWebhookSecret,
    commerce: { ...DEFAULT_COMMERCE, ...input.commerce },
    flash: { ...DEFAULT_FLASH, ...input.flash },
    firmware: { ...DEFAULT_FIRMWARE, ...input.firmware },
    certificationFirmwareGate: input.certificationFirmwareGate ?? true,
    webRoot: input.webRoot === undefined ? defaultWebRoot() : input.webRoot,
    now: input.now ?? Date.now,
    cluster: input.cluster,
  };
}
