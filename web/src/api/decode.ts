/**
 * Narrowing what the hub sends (REST bodies, MQTT payloads) from `unknown` to the app's types.
 * Each reader names the path of the first value that does not fit, so a changed API fails with
 * a message that says where, instead of rendering `undefined`.
 */
export class DecodeError extends Error {
  constructor(path: string, expected: string) {
    super(`${path || 'body'}: expected ${expected}`);
    this.name = 'DecodeError';
  }
}

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown, path = ''): Json {
  if (!isRecord(value)) throw new DecodeError(path, 'an object');
  return value;
}

export function str(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new DecodeError(path, 'a string');
  return value;
}

export function optStr(value: unknown, path: string): string | null {
  return value === null || value === undefined ? null : str(value, path);
}

export function num(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DecodeError(path, 'a number');
  return value;
}

export function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new DecodeError(path, 'a boolean');
  return value;
}

export function list<T>(value: unknown, path: string, item: (v: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) throw new DecodeError(path, 'an array');
  return value.map((v, i) => item(v, `${path}/${i}`));
}

export function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    throw new DecodeError(path, `one of ${options.join(', ')}`);
  }
  return value as T;
}

/** A `Record<string, T>` whose values are read by `item`. */
export function dict<T>(
  value: unknown,
  path: string,
  item: (v: unknown, path: string) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, v] of Object.entries(record(value, path))) out[key] = item(v, `${path}/${key}`);
  return out;
}
