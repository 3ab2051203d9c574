import { decimalsOf, humanize, unitSymbol } from './labels.js';
import type { CompiledAction, CompiledProperty, CompiledSpec } from './model.js';

/**
 * How each part of a model spec becomes a control (the MIoT-to-Home-Assistant mapping):
 *
 * | property                                  | control                                      |
 * | ----------------------------------------- | -------------------------------------------- |
 * | writable bool                             | switch (two buttons when it cannot be read)  |
 * | writable enum                             | select (buttons when it cannot be read)      |
 * | writable integer with unit `rgb`          | colour picker                                |
 * | writable number, range of <= 100 steps    | slider, one command on release               |
 * | writable number, finer or without range   | number input on the step grid                |
 * | writable string                           | text input                                   |
 * | anything not writable                     | value with its unit                          |
 *
 * Actions become buttons, with a form for their `in` parameters.
 */
export type ControlKind = 'switch' | 'select' | 'buttons' | 'color' | 'slider' | 'number' | 'text' | 'value';

/** Above this many steps a slider cannot be placed on each value by hand: use a number input. */
export const SLIDER_MAX_STEPS = 100;

export interface PropertyControl {
  readonly kind: ControlKind;
  readonly prop: CompiledProperty;
  readonly label: string;
  readonly unit: string;
  /** Numeric controls: the bounds and grid a value must be on. */
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly decimals: number;
}

export interface ActionControl {
  readonly action: CompiledAction;
  readonly label: string;
  /** One form field per `in` parameter, in order. */
  readonly inputs: readonly PropertyControl[];
}

export interface ServiceSection {
  readonly service: string;
  readonly label: string;
  readonly description: string;
  /** The device-information service: facts, shown apart from the controls. */
  readonly info: boolean;
  readonly controls: readonly PropertyControl[];
  readonly actions: readonly ActionControl[];
}

const INFO_SERVICE = 'device-information';

function numericBounds(prop: CompiledProperty): { min: number; max: number; step: number } {
  if (prop.range !== undefined) return { min: prop.range.min, max: prop.range.max, step: prop.range.step };
  const min = Number.isFinite(prop.formatMin) ? prop.formatMin : -1e9;
  const max = Number.isFinite(prop.formatMax) ? prop.formatMax : 1e9;
  return { min, max, step: prop.kind === 'integer' ? 1 : 0 };
}

function steps(min: number, max: number, step: number): number {
  return step > 0 ? Math.round((max - min) / step) : Number.POSITIVE_INFINITY;
}

/** The control for a property shown live on a card (`asParameter` false) or as an action's form field. */
export function controlKind(prop: CompiledProperty, asParameter = false): ControlKind {
  if (!asParameter && !prop.writable) return 'value';
  // A live control shows the current value; without `read` there is none, so pick what needs none.
  const knowsValue = asParameter || prop.readable || prop.notifiable;
  if (prop.kind === 'bool') return knowsValue ? 'switch' : 'buttons';
  // `string` and `hex` (byte pairs) are typed in.
  if (prop.kind === 'string') return 'text';
  if (prop.enumEntries !== undefined) return knowsValue || prop.enumEntries.length > 6 ? 'select' : 'buttons';
  if (prop.unit === 'rgb' && prop.kind === 'integer') return 'color';
  const { min, max, step } = numericBounds(prop);
  // int64/uint64 beyond 2^53 travel as decimal strings; a slider of numbers cannot hold them.
  const exact = prop.wide === undefined || (Number.isSafeInteger(min) && Number.isSafeInteger(max));
  return knowsValue && exact && steps(min, max, step) <= SLIDER_MAX_STEPS ? 'slider' : 'number';
}

export function propertyControl(prop: CompiledProperty, asParameter = false): PropertyControl {
  const { min, max, step } = numericBounds(prop);
  return {
    kind: controlKind(prop, asParameter),
    prop,
    label: humanize(prop.name),
    unit: unitSymbol(prop.unit),
    min,
    max,
    step,
    decimals: decimalsOf(prop.range?.step, prop.kind === 'float'),
  };
}

/** The card of a model: one section per service, device information last. */
export function cardLayout(spec: CompiledSpec): ServiceSection[] {
  const sections = spec.spec.services.map((service) => ({
    service: service.name,
    label: humanize(service.name),
    description: service.description,
    info: service.name === INFO_SERVICE,
    // Parameter-only properties (no access) exist only as action and event arguments: no row of their own.
    controls: spec.properties
      .filter((p) => p.service === service.name && !p.parameterOnly)
      .map((p) => propertyControl(p)),
    actions: spec.actions
      .filter((a) => a.service === service.name)
      .map((action) => ({
        action,
        label: humanize(action.name),
        inputs: action.in.map((p) => propertyControl(p, true)),
      })),
  }));
  return [...sections.filter((s) => !s.info), ...sections.filter((s) => s.info)];
}

/** Numeric properties worth a history chart: reported over time, not an enum, not a colour. */
export function chartable(spec: CompiledSpec): CompiledProperty[] {
  return spec.properties.filter(
    (p) =>
      p.notifiable &&
      (p.kind === 'integer' || p.kind === 'float') &&
      p.enumEntries === undefined &&
      p.unit !== 'rgb' &&
      p.wide === undefined,
  );
}

/** The switch shown on a device's tile: `on` of the first service that has a writable one. */
export function primarySwitch(spec: CompiledSpec): CompiledProperty | undefined {
  return spec.properties.find(
    (p) => p.name === 'on' && p.kind === 'bool' && p.writable && (p.readable || p.notifiable),
  );
}

/** The value shown on a tile: the first reported number that is not an enum (a sensor reading). */
export function primaryReading(spec: CompiledSpec): CompiledProperty | undefined {
  return chartable(spec).find((p) => !p.writable);
}

function hex(value: number): string {
  return `#${Math.max(0, Math.min(0xffffff, Math.trunc(value)))
    .toString(16)
    .padStart(6, '0')}`;
}

/** A value as a person reads it: enum description, On/Off, number with its unit and step's precision. */
export function formatValue(control: PropertyControl, value: unknown): string {
  if (value === undefined || value === null) return '—';
  const { prop } = control;
  if (prop.kind === 'bool') return value === true ? 'On' : value === false ? 'Off' : String(value);
  if (typeof value === 'number') {
    const entry = prop.enumEntries?.find((e) => e.value === value);
    if (entry) return entry.description;
    if (prop.unit === 'rgb') return hex(value).toUpperCase();
    const text = value.toLocaleString(undefined, {
      minimumFractionDigits: control.decimals,
      maximumFractionDigits: Math.max(
        control.decimals,
        prop.kind === 'float' && prop.range === undefined ? 3 : 0,
      ),
    });
    return control.unit ? `${text} ${control.unit}` : text;
  }
  // int64/uint64 beyond 2^53 arrive as decimal strings.
  if (typeof value === 'string' && prop.wide !== undefined)
    return control.unit ? `${value} ${control.unit}` : value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A number typed in, as the wire wants it: a JSON number, or for int64/uint64 beyond 2^53 the
 * decimal string (docs/spec.md, "64-bit integers"). NaN when it is no number at all.
 */
export function numberFromText(control: PropertyControl, text: string): number | string {
  const trimmed = text.trim().replace(',', '.');
  if (control.prop.wide !== undefined && /^-?\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    return Number.isSafeInteger(n) ? n : trimmed.replace(/^(-?)0+(?=\d)/, '$1');
  }
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

export { hex as rgbHex };

/** The value on the control's grid nearest to `value`, inside its bounds. */
export function snap(control: PropertyControl, value: number): number {
  const { min, max, step } = control;
  const clamped = Math.min(max, Math.max(min, value));
  if (!(step > 0)) return clamped;
  let k = Math.round((clamped - min) / step);
  // A range whose max is off the grid ([0, 10, 3]): the last grid point below it.
  if (min + k * step > max + step * 1e-9) k = Math.floor((max - min) / step + 1e-9);
  const snapped = min + k * step;
  // Float grids: round off binary noise to the step's decimals (0.1 + 0.2).
  return Number(snapped.toFixed(Math.max(control.decimals, decimalsOf(step, true))));
}
