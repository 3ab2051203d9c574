import { type FlagSpec, formatHelp, parseFlags, parsePort, pick, UsageError } from '../src/cli/flags.js';
import { DEFAULTS } from '../src/config.js';

export const DEMO_FLAGS: readonly FlagSpec[] = [
  {
    name: 'http-port',
    env: 'ECOHUB_HTTP_PORT',
    type: 'string',
    value: 'PORT',
    help: 'REST, /docs and MQTT over WebSocket; 0 = any free port',
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
    name: 'host',
    env: 'ECOHUB_HOST',
    type: 'string',
    value: 'ADDR',
    help: 'Address to listen on',
    default: '127.0.0.1',
  },
  {
    name: 'data-dir',
    env: 'ECOHUB_DATA_DIR',
    type: 'string',
    value: 'DIR',
    help: 'Keep the demo database in DIR (kept on exit); default: a temporary folder removed on exit',
  },
];

export const DEMO_HELP = formatHelp(
  'npm run demo -- [options]   (or: node dist/firmware-sim/demo.js [options])',
  'Starts a hub with a demo partner, every example model, two simulated devices of each and a demo\n' +
    'user who owns them in a home with rooms, then prints URLs, credentials and commands to try.\n' +
    'Ctrl-C stops everything and removes the temporary data folder.',
  DEMO_FLAGS,
);

export interface DemoOptions {
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly host: string;
  /** A folder the user chose (kept), or undefined for a temporary one (removed on exit). */
  readonly dataDir: string | undefined;
}

function flag(name: string): FlagSpec {
  const spec = DEMO_FLAGS.find((f) => f.name === name);
  if (!spec) throw new Error(`unknown flag ${name}`);
  return spec;
}

/** Flags, else their ECOHUB_* variables, else the defaults; a bad one is a UsageError naming it. */
export function demoOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions | 'help' {
  const { values } = parseFlags(argv, DEMO_FLAGS);
  if (values['help']) return 'help';
  const get = (name: string) => pick(values, flag(name), env);
  const httpPort = get('http-port');
  const mqttPort = get('mqtt-port');
  const host = get('host');
  if (host && !/^[A-Za-z0-9.:-]+$/.test(host.value)) {
    throw new UsageError(`${host.source} must be a host name or IP address, got '${host.value}'`);
  }
  const dataDir = get('data-dir');
  if (dataDir && dataDir.value.trim() === '') throw new UsageError(`${dataDir.source} must not be empty`);
  return {
    httpPort: httpPort ? parsePort(httpPort) : DEFAULTS.httpPort,
    mqttPort: mqttPort ? parsePort(mqttPort) : DEFAULTS.mqttPort,
    host: host?.value ?? '127.0.0.1',
    dataDir: dataDir?.value,
  };
}
