import type { PropertyFormat } from './schema.js';

export type WideFormat = 'uint64' | 'int64';
export type IntegerFormat = 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32' | WideFormat;
export type NumericFormat = IntegerFormat | 'float';
/** Formats whose values are JSON strings. */
export type TextFormat = 'string' | 'hex';

export interface NumericBounds {
  readonly min: number;
  readonly max: number;
}

export interface WideBounds {
  readonly min: bigint;
  readonly max: bigint;
}

/**
 * Two's-complement bounds of the wire formats; a value outside them cannot be encoded by firmware.
 * The 64-bit bounds as numbers are rounded (2^63 and 2^64 are not exact integers in JSON); exact
 * checks use `WIDE_FORMAT_BOUNDS`.
 */
export const INTEGER_FORMAT_BOUNDS: Readonly<Record<IntegerFormat, NumericBounds>> = {
  uint8: { min: 0, max: 255 },
  uint16: { min: 0, max: 65_535 },
  uint32: { min: 0, max: 4_294_967_295 },
  uint64: { min: 0, max: 2 ** 64 - 1 },
  int8: { min: -128, max: 127 },
  int16: { min: -32_768, max: 32_767 },
  int32: { min: -2_147_483_648, max: 2_147_483_647 },
  int64: { min: -(2 ** 63), max: 2 ** 63 - 1 },
};

export const WIDE_FORMAT_BOUNDS: Readonly<Record<WideFormat, WideBounds>> = {
  uint64: { min: 0n, max: 2n ** 64n - 1n },
  int64: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
};

export function isIntegerFormat(format: PropertyFormat): format is IntegerFormat {
  return !isTextFormat(format) && format !== 'bool' && format !== 'float';
}

export function isNumericFormat(format: PropertyFormat): format is NumericFormat {
  return !isTextFormat(format) && format !== 'bool';
}

export function isWideFormat(format: PropertyFormat): format is WideFormat {
  return format === 'uint64' || format === 'int64';
}

export function isTextFormat(format: PropertyFormat): format is TextFormat {
  return format === 'string' || format === 'hex';
}

/** Bounds a value of this format can take, or undefined for formats without numeric bounds. */
export function formatBounds(format: PropertyFormat): NumericBounds | undefined {
  return isIntegerFormat(format) ? INTEGER_FORMAT_BOUNDS[format] : undefined;
}

/**
 * Whether `value` lies on the grid `min + k * step`. Integer grids are compared exactly; float grids
 * with a small tolerance (plus rounding error that grows with the quotient), because `0.1`-style steps are
 * not representable in binary.
 */
export function isOnStep(value: number, min: number, step: number): boolean {
  if (!(step > 0)) return true;
  const offset = value - min;
  if (Number.isInteger(offset) && Number.isInteger(step)) return offset % step === 0;
  const steps = offset / step;
  return Math.abs(steps - Math.round(steps)) <= 1e-6 + Math.abs(steps) * 4 * Number.EPSILON;
}

/**
 * The length bound of a `string` or `hex` property that declares no `maxLength` (MIoT-Spec-V2 has no
 * place for one). Firmware keeps property values in fixed buffers and the hub refuses what would not
 * fit; a model that needs more declares `maxLength` (up to 4096).
 */
export const DEFAULT_STRING_MAX_LENGTH = 1024;
