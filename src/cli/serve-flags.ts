import { DEFAULT_FLASH } from '../commerce/flash-settings.js';
import { DEFAULT_LIMITS, DEFAULTS } from '../config.js';
import { LOG_LEVELS } from '../log.js';
import { databaseFlag, databasePoolSizeFlag } from './database-flag.js';
import { firmwareFlags } from './firmware-flags.js';
import type { FlagSpec } from './flags.js';

/** Every `ecohub serve` flag with its environment variable and default (README's options table). */
export const serveFlags: readonly FlagSpec[] = [
  {
    name: 'data-dir',
    env: 'ECOHUB_DATA_DIR',
    type: 'string',
    value: 'DIR',
    help: 'Folder for ecohub.db',
    default: DEFAULTS.dataDir,
  },
  databaseFlag,
  databasePoolSizeFlag,
  {
    name: 'host',
    env: 'ECOHUB_HOST',
    type: 'string',
    value: 'ADDR',
    help: 'Address to listen on',
    default: DEFAULTS.host,
  },
  {
    name: 'http-port',
    env: 'ECOHUB_HTTP_PORT',
    type: 'string',
    value: 'PORT',
    help: 'REST, /docs and MQTT over WebSocket (/mqtt); 0 = any',
    default: String(DEFAULTS.httpPort),
  },
  {
    name: 'mqtt-port',
    env: 'ECOHUB_MQTT_PORT',
    type: 'string',
    value: 'PORT',
    help: 'MQTT over TCP; 0 = any free port',
    default: String(DEFAULTS.mqttPort),
  },
  {
    name: 'public-url',
    env: 'ECOHUB_PUBLIC_URL',
    type: 'string',
    value: 'URL',
    help: 'Base URL clients use to reach the HTTP port (behind a proxy)',
  },
  {
    name: 'log-level',
    env: 'ECOHUB_LOG_LEVEL',
    type: 'string',
    value: 'LEVEL',
    help: LOG_LEVELS.join('|'),
    default: DEFAULTS.logLevel,
  },
  {
    name: 'max-connections',
    env: 'ECOHUB_MAX_CONNECTIONS',
    type: 'string',
    value: 'N',
    help: 'MQTT connections (TCP + WebSocket)',
    default: String(DEFAULT_LIMITS.maxConnections),
  },
  {
    name: 'max-packet-size',
    env: 'ECOHUB_MAX_PACKET_SIZE',
    type: 'string',
    value: 'BYTES',
    help: 'Largest MQTT packet accepted',
    default: String(DEFAULT_LIMITS.maxPacketBytes),
  },
  {
    name: 'max-pending-per-address',
    env: 'ECOHUB_MAX_PENDING_PER_ADDRESS',
    type: 'string',
    value: 'N',
    help: 'MQTT connections one address may hold before they authenticate',
    default: String(DEFAULT_LIMITS.maxPendingPerAddress),
  },
  {
    name: 'connect-rate-per-address',
    env: 'ECOHUB_CONNECT_RATE_PER_ADDRESS',
    type: 'string',
    value: 'N',
    help: 'New MQTT connections per address per second (five times as many at once)',
    default: String(DEFAULT_LIMITS.connectRatePerAddress),
  },
  {
    name: 'max-subscriptions',
    env: 'ECOHUB_MAX_SUBSCRIPTIONS',
    type: 'string',
    value: 'N',
    help: 'Topic filters one MQTT session may hold (past it SUBACK 0x80)',
    default: String(DEFAULT_LIMITS.maxSubscriptionsPerSession),
  },
  {
    name: 'max-queued-messages',
    env: 'ECOHUB_MAX_QUEUED_MESSAGES',
    type: 'string',
    value: 'N',
    help: 'QoS 1 messages kept for one persistent MQTT session (cleanSession=0); past it new ones are dropped',
    default: String(DEFAULT_LIMITS.maxQueuedPerSession),
  },
  {
    name: 'max-persistent-sessions',
    env: 'ECOHUB_MAX_PERSISTENT_SESSIONS',
    type: 'string',
    value: 'N',
    help: "Persistent MQTT sessions (cleanSession=0) one user's phones may keep (past it CONNACK 2)",
    default: String(DEFAULT_LIMITS.maxPersistentSessionsPerUser),
  },
  {
    name: 'command-timeout',
    env: 'ECOHUB_COMMAND_TIMEOUT_MS',
    type: 'string',
    value: 'MS',
    help: 'How long a command waits for the device',
    default: String(DEFAULTS.commandTimeoutMs),
  },
  {
    name: 'command-rate',
    env: 'ECOHUB_COMMAND_RATE',
    type: 'string',
    value: 'N',
    help: 'Commands per user per second (twice as many at once)',
    default: String(DEFAULT_LIMITS.commandRatePerSec),
  },
  {
    name: 'max-registrations',
    env: 'ECOHUB_MAX_REGISTRATIONS',
    type: 'string',
    value: 'N',
    help: 'Account registrations per client address per 15 minutes',
    default: String(DEFAULT_LIMITS.registrationsPerAddress),
  },
  {
    name: 'flash-rate-per-address',
    env: 'ECOHUB_FLASH_RATE_PER_ADDRESS',
    type: 'string',
    value: 'N',
    help: 'Flash-sale purchase and registration attempts per client address per second (4x as many at once)',
    default: String(DEFAULT_FLASH.addressRatePerSec),
  },
  ...firmwareFlags,
  {
    name: 'cluster',
    env: 'ECOHUB_CLUSTER_URL',
    type: 'string',
    value: 'URL',
    help: 'redis://host:port: run as one node of a cluster (needs --database postgres://; docs/scaling.md)',
  },
  {
    name: 'node-id',
    env: 'ECOHUB_NODE_ID',
    type: 'string',
    value: 'ID',
    help: "This node's name in the cluster (default: host-pid-random)",
  },
  {
    name: 'firmware-certification-gate',
    env: 'ECOHUB_FIRMWARE_CERTIFICATION_GATE',
    type: 'string',
    value: 'on|off',
    help: 'on: firmware of a certified model rolls out beyond beta only after a passing certification run on it',
    default: 'on',
  },
  {
    name: 'trust-proxy',
    env: 'ECOHUB_TRUST_PROXY',
    type: 'boolean',
    help: 'Take client addresses from X-Forwarded-For',
  },
];

/** Settings taken from the environment only: secrets do not belong on a command line, where `ps` shows them. */
export const serveEnvOnly: ReadonlyArray<{ readonly env: string; readonly help: string }> = [
  {
    env: 'ECOHUB_ADMIN_TOKEN',
    help: 'adopts that string (24+ characters) as an operator token while it is set',
  },
  {
    env: 'ECOHUB_PAYMENT_WEBHOOK_SECRET',
    help: 'the key (16+ characters) payment webhooks are signed with; unset, POST /v1/payments/webhook answers 503',
  },
];
