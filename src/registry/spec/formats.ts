import type { PropertyFormat } from './schema.js';

export type IntegerFormat = 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32';
export type NumericFormat = IntegerFormat | 'float';

export interface NumericBounds {
  readonly min: number;
  readonly max: number;
}

/** Two's-complement bounds of the wire formats; a value outside them cannot be encoded by firmware. */
export const INTEGER_FORMAT_BOUNDS: Readonly<Record<IntegerFormat, NumericBounds>> = {
  uint8: { min: 0, max: 255 },
  uint16: { min: 0, max: 65_535 },
  uint32: { min: 0, max: 4_294_967_295 },
  int8: { min: -128, max: 127 },
  int16: { min: -32_768, max: 32_767 },
  int32: { min: -2_147_483_648, max: 2_147_483_647 },
};

export function isIntegerFormat(format: PropertyFormat): format is IntegerFormat {
  return format !== 'bool' && format !== 'float' && format !== 'string';
}

export function isNumericFormat(format: PropertyFormat): format is NumericFormat {
  return format !== 'bool' && format !== 'string';
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
