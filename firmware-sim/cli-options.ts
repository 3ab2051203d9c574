import { parseArgs } from 'node:util';
import { type FlagSpec, formatHelp, UsageError } from '../src/cli/flags.js';
import { LOG_LEVELS, type LogLevel } from '../src/log.js';
import { type Faults, parseFault } from './faults.js';

export const RUN_FLAGS: readonly FlagSpec[] = [
  {
    name: 'hub',
    type: 'string',
    value: 'URL',
    help: 'Hub MQTT URL: mqtt://HOST:1883 or ws://HOST:8080/mqtt (required)',
  },
  {
    name: 'devices',
    type: 'string',
    value: 'FILE',
    help: 'Provisioned devices: batch JSON or CSV (required)',
  },
  {
    name: 'model',
    type: 'string',
    value: 'FILE',
    help: 'Model document to simulate (the one the hub has, e.g. examples/models/...)',
  },
  {
    name: 'model-id',
    type: 'string',
    value: 'ID',
    help: 'Fetch the published model from --api instead of --model',
  },
  {
    name: 'api',
    type: 'string',
    value: 'URL',
    help: 'Hub REST base URL for --model-id, e.g. http://HOST:8080',
  },
  {
    name: 'count',
    type: 'string',
    value: 'N',
    help: 'Simulate the first N devices of the file',
    default: 'all',
  },
  {
    name: 'rate',
    type: 'string',
    value: 'R',
    help: 'Telemetry reports per second, fleet total (R) or per device (R/device)',
  },
  {
    name: 'fault',
    type: 'string',
    value: 'NAME[=VALUE]',
    help: 'Misbehave (repeatable): outOfRange, wrongFormat, slowReplies=MS, noReplies, dropReports, flapping=MS, malformedJson, duplicateReplies',
  },
  {
    name: 'duration',
    type: 'string',
    value: 'S',
    help: 'Stop S seconds after the fleet is up (every worker process started)',
    default: 'until SIGINT/SIGTERM',
  },
  { name: 'seed', type: 'string', value: 'N', help: 'Seed for drift, events and jitter', default: '1' },
  {
    name: 'firmware',
    type: 'string',
    value: 'VERSION',
    help: 'Firmware revision the devices announce',
    default: '1.0.0',
  },
  {
    name: 'event-interval',
    type: 'string',
    value: 'S',
    help: 'Mean seconds between events per device; 0 = none',
    default: '60',
  },
  { name: 'keepalive', type: 'string', value: 'S', help: 'MQTT keepalive in seconds', default: '30' },
  { name: 'per-process', type: 'string', value: 'N', help: 'Devices per worker process', default: '15000' },
  {
    name: 'source-address',
    type: 'string',
    value: 'ADDR',
    help: 'Bind connections to these addresses (repeatable)',
    default: 'auto: 127.0.0.2.. when one address runs out of ports',
  },
  { name: 'json', type: 'boolean', help: 'Print the summary as one JSON line' },
  { name: 'log-level', type: 'string', value: 'LEVEL', help: 'Log level (stderr)', default: 'warn' },
];

export const RUN_HELP = formatHelp(
  'ecohub-sim run --hub URL --devices FILE (--model FILE | --model-id ID --api URL) [options]',
  'Simulates provisioned devices of one model against a hub, by the model spec. Prints live progress\n' +
    'and a summary; SIGINT/SIGTERM or --duration stop it cleanly (exit 0). Bad flags exit 2.',
  RUN_FLAGS,
);

export interface RunConfig {
  readonly hubUrl: string;
  readonly devicesFile: string;
  readonly model: { readonly file: string } | { readonly id: string | undefined; readonly api: string };
  readonly count: number | undefined;
  /** Telemetry interval per device is derived from this once the device count is known. */
  readonly rate: { readonly perSecond: number; readonly perDevice: boolean } | undefined;
  readonly faults: Faults;
  readonly durationMs: number | undefined;
  readonly seed: number;
  readonly firmware: string;
  readonly eventIntervalMs: number;
  readonly keepaliveSeconds: number;
  readonly perProcess: number;
  readonly sourceAddresses: readonly string[] | undefined;
  readonly json: boolean;
  readonly logLevel: LogLevel;
}

/** Parses `run` flags strictly; every mistake is a UsageError naming the flag. */
export function parseRunFlags(argv: readonly string[]): RunConfig | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    help: { type: 'boolean' },
  };
  for (const flag of RUN_FLAGS) options[flag.name] = { type: flag.type };
  options['fault'] = { type: 'string', multiple: true };
  options['source-address'] = { type: 'string', multiple: true };
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  if (values['help'] === true) return 'help';
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const list = (name: string): string[] => {
    const v = values[name];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  };
  const hubUrl = required(str('hub'), 'hub');
  let protocol: string;
  try {
    protocol = new URL(hubUrl).protocol;
  } catch {
    throw new UsageError(`--hub must be a URL like mqtt://127.0.0.1:1883, got '${hubUrl}'`);
  }
  if (!['mqtt:', 'tcp:', 'ws:', 'wss:', 'mqtts:'].includes(protocol)) {
    throw new UsageError(`--hub must be an mqtt://, mqtts://, ws:// or wss:// URL, got '${hubUrl}'`);
  }
  const modelFile = str('model');
  const modelId = str('model-id');
  const api = str('api');
  if (modelFile !== undefined && modelId !== undefined)
    throw new UsageError('--model and --model-id exclude each other');
  if (modelId !== undefined && api === undefined)
    throw new UsageError('--model-id needs --api URL to fetch it from');
  if (modelFile === undefined && api === undefined) {
    throw new UsageError('--model FILE is required (or --model-id ID with --api URL)');
  }
  if (api !== undefined && !/^https?:\/\/[^/]+/.test(api)) {
    throw new UsageError(`--api must be an http(s):// URL, got '${api}'`);
  }
  const faults: Faults = {};
  for (const text of list('fault')) {
    try {
      Object.assign(faults, parseFault(text));
    } catch (error) {
      throw new UsageError(`--fault: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const logLevel = str('log-level') ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  const sources = list('source-address');
  const duration = number(str('duration'), 'duration', { min: 0.001 });
  return {
    hubUrl,
    devicesFile: required(str('devices'), 'devices'),
    model: modelFile !== undefined ? { file: modelFile } : { id: modelId, api: api ?? '' },
    count: number(str('count'), 'count', { min: 1, integer: true }),
    rate: parseRate(str('rate')),
    faults,
    durationMs: duration === undefined ? undefined : Math.round(duration * 1000),
    seed: number(str('seed'), 'seed', { min: 0, integer: true }) ?? 1,
    firmware: nonEmpty(str('firmware') ?? '1.0.0', 'firmware'),
    eventIntervalMs: Math.round((number(str('event-interval'), 'event-interval', { min: 0 }) ?? 60) * 1000),
    keepaliveSeconds: number(str('keepalive'), 'keepalive', { min: 1, integer: true, max: 65_535 }) ?? 30,
    perProcess: number(str('per-process'), 'per-process', { min: 1, integer: true }) ?? 15_000,
    sourceAddresses: sources.length > 0 ? sources : undefined,
    json: values['json'] === true,
    logLevel: logLevel as LogLevel,
  };
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

function nonEmpty(value: string, flag: string): string {
  if (value.trim() === '') throw new UsageError(`--${flag} must not be empty`);
  return value;
}

function number(
  raw: string | undefined,
  flag: string,
  rule: { min: number; max?: number; integer?: boolean },
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const ok =
    raw.trim() !== '' &&
    Number.isFinite(value) &&
    value >= rule.min &&
    value <= (rule.max ?? Number.MAX_SAFE_INTEGER) &&
    (rule.integer !== true || Number.isInteger(value));
  if (!ok) {
    const kind = rule.integer === true ? 'a whole number' : 'a number';
    throw new UsageError(
      `--${flag} must be ${kind} >= ${rule.min}${rule.max ? ` and <= ${rule.max}` : ''}, got '${raw}'`,
    );
  }
  return value;
}

function parseRate(raw: string | undefined): RunConfig['rate'] {
  if (raw === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(\/device|\/s)?$/.exec(raw.trim());
  const perSecond = match ? Number(match[1]) : Number.NaN;
  if (!match || !(perSecond > 0)) {
    throw new UsageError(
      `--rate must be reports per second, e.g. 500 (fleet total) or 0.2/device, got '${raw}'`,
    );
  }
  return { perSecond, perDevice: match[2] === '/device' };
}
