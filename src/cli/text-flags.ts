import { UsageError } from './flags.js';

/** Parsed flag values (parseFlags). */
export type Values = Record<string, string | boolean | undefined>;

/** A free-text flag: trimmed, 1 to `max` characters; undefined when absent and not required. */
export function textFlag(values: Values, name: string, max: number, required: boolean): string | undefined {
  const v = values[name];
  if (v === undefined) {
    if (required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  const text = typeof v === 'string' ? v.trim() : '';
  if (text.length < 1 || text.length > max) {
    throw new UsageError(`--${name} must be 1 to ${max} characters (not only spaces)`);
  }
  return text;
}

export function statusFlag<T extends string>(values: Values, allowed: readonly T[]): T | undefined {
  const v = values['status'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--status must be one of ${allowed.join(', ')}, got '${String(v)}'`);
  }
  return v as T;
}
