import {
  DEFAULT_STRING_MAX_LENGTH,
  formatBounds,
  isTextFormat,
  isWideFormat,
  WIDE_FORMAT_BOUNDS,
} from './formats.js';
import {
  type Addressing,
  MAX_IID,
  MIN_IID,
  type ModelSpec,
  type PropertyFormat,
  type PropertySpec,
} from './schema.js';
import { parseWide } from './wide.js';

/**
 * A model spec indexed for the hot path (every command and every telemetry message): each property,
 * action and event is reachable by name (`light.brightness`) or by iids (`2.1`) with one map lookup,
 * and each property carries its constraints pre-digested for `checkPropertyValue`.
 */

/** How a value of the property is represented in JSON. */
export type ValueKind = 'bool' | 'integer' | 'float' | 'string';

export interface CompiledProperty {
  /** `service.property` */
  readonly key: string;
  /** `siid.piid` */
  readonly iidKey: string;
  readonly service: string;
  readonly name: string;
  readonly siid: number;
  readonly piid: number;
  readonly format: PropertyFormat;
  readonly kind: ValueKind;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly notifiable: boolean;
  /** Neither readable, writable nor notifiable: it exists only as an action or event argument. */
  readonly parameterOnly: boolean;
  readonly unit: string | undefined;
  /** Bounds of the format itself (integer formats; rounded for 64-bit ones); -Infinity..Infinity otherwise. */
  readonly formatMin: number;
  readonly formatMax: number;
  /** The range in numbers (rounded for 64-bit bounds beyond 2^53; `wide` has them exact). */
  readonly range: CompiledRange | undefined;
  /** Exact bounds of an int64/uint64 property, which the value checks use instead of the numbers. */
  readonly wide: CompiledWide | undefined;
  readonly enumValues: ReadonlySet<number> | undefined;
  readonly enumEntries: ReadonlyArray<{ readonly value: number; readonly description: string }> | undefined;
  /** For `string` and `hex`: the declared maxLength, or the default bound; undefined for other formats. */
  readonly maxLength: number | undefined;
}

export interface CompiledWide {
  readonly formatMin: bigint;
  readonly formatMax: bigint;
  readonly range: { readonly min: bigint; readonly max: bigint; readonly step: bigint } | undefined;
}

export interface CompiledRange {
  readonly min: number;
  readonly max: number;
  readonly step: number;
  /** False when every in-range value of the format is on the grid (integer from an integer min, step 1). */
  readonly checksStep: boolean;
}

export interface CompiledAction {
  readonly key: string;
  readonly iidKey: string;
  readonly service: string;
  readonly name: string;
  readonly siid: number;
  readonly aiid: number;
  readonly in: readonly CompiledProperty[];
  readonly out: readonly CompiledProperty[];
}

export interface CompiledEvent {
  readonly key: string;
  readonly iidKey: string;
  readonly service: string;
  readonly name: string;
  readonly siid: number;
  readonly eiid: number;
  readonly arguments: readonly CompiledProperty[];
}

export interface CompiledSpec {
  readonly spec: ModelSpec;
  /** How the model's devices address properties, actions and events on the wire. */
  readonly addressing: Addressing;
  readonly properties: readonly CompiledProperty[];
  readonly actions: readonly CompiledAction[];
  readonly events: readonly CompiledEvent[];
  /** By `service.property` or `siid.piid`. */
  property(ref: string): CompiledProperty | undefined;
  propertyByIid(siid: number, piid: number): CompiledProperty | undefined;
  /** By `service.action` or `siid.aiid`. */
  action(ref: string): CompiledAction | undefined;
  actionByIid(siid: number, aiid: number): CompiledAction | undefined;
  /** By `service.event` or `siid.eiid`. */
  event(ref: string): CompiledEvent | undefined;
  eventByIid(siid: number, eiid: number): CompiledEvent | undefined;
}

/** One number per iid pair, so iid lookups allocate no key string. iids are 0..65535 (16 bits). */
function iidPair(siid: number, iid: number): number {
  return siid * 65_536 + iid;
}

/** Looks up an iid pair, refusing out-of-range iids that would alias another pair's number. */
function byIidPair<T>(map: ReadonlyMap<number, T>, siid: number, iid: number): T | undefined {
  if (!isIid(siid) || !isIid(iid)) return undefined;
  return map.get(iidPair(siid, iid));
}

function isIid(iid: number): boolean {
  return Number.isInteger(iid) && iid >= MIN_IID && iid <= MAX_IID;
}

function valueKind(format: PropertyFormat): ValueKind {
  switch (format) {
    case 'bool':
    case 'float':
    case 'string':
      return format;
    case 'hex':
      return 'string';
    default:
      return 'integer';
  }
}

type Range = NonNullable<PropertySpec['range']>;

function compileRange(range: Range, integer: boolean): CompiledRange {
  const [min, max, step] = range.map(Number) as [number, number, number];
  const everyValueOnGrid = step <= 0 || (integer && step === 1 && Number.isInteger(min));
  return { min, max, step, checksStep: !everyValueOnGrid };
}

function compileWide(property: PropertySpec): CompiledWide | undefined {
  if (!isWideFormat(property.format)) return undefined;
  const bounds = WIDE_FORMAT_BOUNDS[property.format];
  const range = property.range?.map(parseWide);
  const [min, max, step] = range ?? [];
  return {
    formatMin: bounds.min,
    formatMax: bounds.max,
    range: min === undefined || max === undefined || step === undefined ? undefined : { min, max, step },
  };
}

/** Adds `item` under both keys; names are kebab-case and iid keys start with a digit, so they never collide. */
function index<T extends { key: string; iidKey: string }>(
  byRef: Map<string, T>,
  byIid: Map<number, T>,
  item: T,
  siid: number,
  iid: number,
): void {
  if (byRef.has(item.key) || byRef.has(item.iidKey)) {
    throw new Error(
      `cannot compile spec: ${item.key} (${item.iidKey}) is not unique; validate the document first`,
    );
  }
  byRef.set(item.key, item);
  byRef.set(item.iidKey, item);
  byIid.set(iidPair(siid, iid), item);
}

/**
 * Compiles a spec that passed `validateModelDocument`. Throws on duplicate names or iids and on
 * dangling parameter references, which validation rejects (Q007, Q008, Q009).
 */
export function compileSpec(spec: ModelSpec): CompiledSpec {
  const propertyRefs = new Map<string, CompiledProperty>();
  const propertyIids = new Map<number, CompiledProperty>();
  const actionRefs = new Map<string, CompiledAction>();
  const actionIids = new Map<number, CompiledAction>();
  const eventRefs = new Map<string, CompiledEvent>();
  const eventIids = new Map<number, CompiledEvent>();
  const properties: CompiledProperty[] = [];
  const actions: CompiledAction[] = [];
  const events: CompiledEvent[] = [];

  for (const service of spec.services) {
    const siid = service.iid;
    for (const property of service.properties) {
      const bounds = formatBounds(property.format);
      const compiled: CompiledProperty = {
        key: `${service.name}.${property.name}`,
        iidKey: `${siid}.${property.iid}`,
        service: service.name,
        name: property.name,
        siid,
        piid: property.iid,
        format: property.format,
        kind: valueKind(property.format),
        readable: property.access.includes('read'),
        writable: property.access.includes('write'),
        notifiable: property.access.includes('notify'),
        parameterOnly: property.access.length === 0,
        unit: property.unit,
        formatMin: bounds?.min ?? Number.NEGATIVE_INFINITY,
        formatMax: bounds?.max ?? Number.POSITIVE_INFINITY,
        range: property.range === undefined ? undefined : compileRange(property.range, bounds !== undefined),
        wide: compileWide(property),
        enumValues:
          property.enum === undefined ? undefined : new Set(property.enum.map((entry) => entry.value)),
        enumEntries: property.enum,
        maxLength: isTextFormat(property.format)
          ? (property.maxLength ?? DEFAULT_STRING_MAX_LENGTH)
          : property.maxLength,
      };
      index(propertyRefs, propertyIids, compiled, siid, property.iid);
      properties.push(compiled);
    }
    const resolve = (owner: string, piids: readonly number[]): CompiledProperty[] =>
      piids.map((piid) => {
        const property = propertyIids.get(iidPair(siid, piid));
        if (property === undefined) {
          throw new Error(`cannot compile spec: ${owner} refers to missing piid ${siid}.${piid}`);
        }
        return property;
      });
    for (const action of service.actions) {
      const key = `${service.name}.${action.name}`;
      const compiled: CompiledAction = {
        key,
        iidKey: `${siid}.${action.iid}`,
        service: service.name,
        name: action.name,
        siid,
        aiid: action.iid,
        in: resolve(key, action.in),
        out: resolve(key, action.out),
      };
      index(actionRefs, actionIids, compiled, siid, action.iid);
      actions.push(compiled);
    }
    for (const event of service.events) {
      const key = `${service.name}.${event.name}`;
      const compiled: CompiledEvent = {
        key,
        iidKey: `${siid}.${event.iid}`,
        service: service.name,
        name: event.name,
        siid,
        eiid: event.iid,
        arguments: resolve(key, event.arguments),
      };
      index(eventRefs, eventIids, compiled, siid, event.iid);
      events.push(compiled);
    }
  }

  return {
    spec,
    addressing: spec.addressing ?? 'name',
    properties,
    actions,
    events,
    property: (ref) => propertyRefs.get(ref),
    propertyByIid: (siid, piid) => byIidPair(propertyIids, siid, piid),
    action: (ref) => actionRefs.get(ref),
    actionByIid: (siid, aiid) => byIidPair(actionIids, siid, aiid),
    event: (ref) => eventRefs.get(ref),
    eventByIid: (siid, eiid) => byIidPair(eventIids, siid, eiid),
  };
}
