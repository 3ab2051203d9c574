import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { LogLevel } from './log.js';

/** Everything the hub can be told. The CLI maps flags and ECOHUB_* variables onto these. */
export interface HubOptions {
  /** Folder holding ecohub.db (created if missing). */
  readonly dataDir: string;
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
  /** The built web app served at `/` (docs/web.md); null serves none. Default: web/dist of this package. */
  readonly webRoot: string | null;
  /** Clock, injectable for tests. */
  readonly now: () => number;
}

export interface HubLimits {
  readonly maxConnections: number;
  readonly maxPacketBytes: number;
  readonly connectTimeoutMs: number;
  readonly httpBodyBytes: number;
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
  httpBodyBytes: 1024 * 1024,
};

export const DEFAULTS = {
  dataDir: './data',
  host: '0.0.0.0',
  httpPort: 8080,
  mqttPort: 1883,
  logLevel: 'info' as LogLevel,
  tokenTtlMs: 30 * 24 * 3600_000,
  commandTimeoutMs: 5000,
};

export type HubInput = Partial<Omit<HubOptions, 'limits' | 'commerce'>> & {
  readonly limits?: Partial<HubLimits>;
  readonly commerce?: Partial<CommerceSettings>;
};

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
  return {
    dataDir: input.dataDir ?? DEFAULTS.dataDir,
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
    webRoot: input.webRoot === undefined ? defaultWebRoot() : input.webRoot,
    now: input.now ?? Date.now,
  };
}
