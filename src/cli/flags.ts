import { parseArgs } from 'node:util';

/** A command-line mistake: printed as `ecohub: <message>` with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FlagSpec {
  readonly name: string;
  readonly env?: string;
  readonly type: 'string' | 'boolean';
  readonly value?: string;
  readonly help: string;
  readonly default?: string;
}

/** Parses argv strictly: an unknown flag or a missing value is a UsageError that names the flag. */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  opts: { positionals?: boolean } = {},
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const s of specs) options[s.name] = { type: s.type };
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: opts.positionals ?? false,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** Flag value, else its environment variable, else undefined. */
export function pick(
  values: Record<string, string | boolean | undefined>,
  spec: FlagSpec,
  env: NodeJS.ProcessEnv,
): { value: string; source: string } | undefined {
  const v = values[spec.name];
  if (typeof v === 'string') return { value: v, source: `--${spec.name}` };
  if (v === true) return { value: 'true', source: `--${spec.name}` };
  const e = spec.env ? env[spec.env] : undefined;
  if (e !== undefined && e !== '' && spec.env) return { value: e, source: spec.env };
  return undefined;
}

export function parsePort(raw: { value: string; source: string }): number {
  if (!/^\d{1,5}$/.test(raw.value) || Number(raw.value) > 65535) {
    throw new UsageError(
      `${raw.source} must be a port number from 0 to 65535 (0 = any free port), got '${raw.value}'`,
    );
  }
  return Number(raw.value);
}

export function parsePositiveInt(
  raw: { value: string; source: string },
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!/^\d+$/.test(raw.value) || Number(raw.value) < 1 || Number(raw.value) > max) {
    throw new UsageError(`${raw.source} must be a whole number from 1 to ${max}, got '${raw.value}'`);
  }
  return Number(raw.value);
}

/** A two-valued flag: true for a value in `on`, false for one in `off`; anything else names the first of each. */
export function parseSwitch(
  raw: { value: string; source: string },
  on: readonly string[],
  off: readonly string[],
): boolean {
  if (on.includes(raw.value)) return true;
  if (off.includes(raw.value)) return false;
  throw new UsageError(`${raw.source} must be ${on[0]} or ${off[0]}, got '${raw.value}'`);
}

export function formatHelp(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.value ? ` ${s.value}` : ''}`;
    const env = s.env ? ` [env ${s.env}]` : '';
    const def = s.default !== undefined ? ` (default: ${s.default})` : '';
    return `${left.padEnd(30)} ${s.help}${def}${env}`;
  });
  return [
    `Usage: ${usage}`,
    '',
    summary,
    '',
    'Options:',
    ...rows,
    `${'  --help'.padEnd(30)} Show this help`,
    '',
  ].join('\n');
}
