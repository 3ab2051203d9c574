import { type CategoryCatalog, defaultCatalog } from '../catalog.js';
import { isWideFormat } from '../formats.js';
import { modelIdParts } from '../rules/model-id.js';
import type { ModelSpec, PropertySpec } from '../schema.js';
import { formatTypeUrn, type TypeKind } from '../types.js';
import { parseWide } from '../wide.js';
import { stringifyExactJson } from './exact-json.js';

/**
 * ecohub model document -> MIoT-Spec-V2 instance document. Services, iids, types, formats, access,
 * units (in MIoT's spelling), ranges (64-bit bounds as exact JSON integers), value lists and argument
 * lists come out as they went in, so import then export gives the source back apart from what the
 * import notes list. An item without a type (a hand-written model) gets one in the partner's vendor
 * namespace, `urn:{partner}-spec:{kind}:{name}:{iid as 8 hex digits}:{partner}-{code}:{specVersion}`;
 * MIoT assigns real type ids when a model is registered there.
 */

export interface MiotExportOptions {
  readonly catalog?: CategoryCatalog | undefined;
}

type MiotNumber = number | bigint;

interface ExportedProperty {
  iid: number;
  type: string;
  description: string;
  format: string;
  access: string[];
  unit?: string;
  'value-range'?: MiotNumber[];
  'value-list'?: Array<{ value: number; description: string }>;
}

export interface ExportedInstance {
  type: string;
  description: string;
  services: Array<{
    iid: number;
    type: string;
    description: string;
    properties: ExportedProperty[];
    actions: Array<{ iid: number; type: string; description: string; in: number[]; out: number[] }>;
    events: Array<{ iid: number; type: string; description: string; arguments: number[] }>;
  }>;
}

export function exportMiot(spec: ModelSpec, options: MiotExportOptions = {}): ExportedInstance {
  const catalog = options.catalog ?? defaultCatalog;
  const { partner, code } = modelIdParts(spec.model);
  const product = `${partner}-${code}`;
  const typeOf = (given: string | undefined, kind: TypeKind, name: string, iid: number): string =>
    given ??
    formatTypeUrn({
      namespace: `${partner}-spec`,
      kind,
      name,
      id: iid.toString(16).toUpperCase().padStart(8, '0'),
      product,
      version: spec.specVersion,
      rest: [],
    });
  const category = catalog.categories.get(spec.category);
  const deviceType = category?.miotTypes?.[0] ?? spec.category;
  const miotUnit = (unit: string): string => catalog.units.find((u) => u.id === unit)?.miot ?? unit;
  return {
    type: typeOf(spec.type, 'device', deviceType, 0),
    description: spec.name.en,
    services: spec.services.map((service) => ({
      iid: service.iid,
      type: typeOf(service.type, 'service', service.name, service.iid),
      description: service.description,
      properties: service.properties.map((property) => exportProperty(property, typeOf, miotUnit)),
      actions: service.actions.map((action) => ({
        iid: action.iid,
        type: typeOf(action.type, 'action', action.name, action.iid),
        description: action.description,
        in: [...action.in],
        out: [...action.out],
      })),
      events: service.events.map((event) => ({
        iid: event.iid,
        type: typeOf(event.type, 'event', event.name, event.iid),
        description: event.description,
        arguments: [...event.arguments],
      })),
    })),
  };
}

function exportProperty(
  property: PropertySpec,
  typeOf: (given: string | undefined, kind: TypeKind, name: string, iid: number) => string,
  miotUnit: (unit: string) => string,
): ExportedProperty {
  const out: ExportedProperty = {
    iid: property.iid,
    type: typeOf(property.type, 'property', property.name, property.iid),
    description: property.description,
    format: property.format,
    access: [...property.access],
  };
  if (property.unit !== undefined) out.unit = miotUnit(property.unit);
  if (property.range !== undefined) {
    const wide = isWideFormat(property.format);
    out['value-range'] = property.range.map((bound) => {
      if (!wide) return Number(bound);
      const exact = parseWide(bound);
      return exact === undefined || Number.isSafeInteger(Number(exact)) ? Number(bound) : exact;
    });
  }
  if (property.enum !== undefined) {
    out['value-list'] = property.enum.map((entry) => ({
      value: entry.value,
      description: entry.description,
    }));
  }
  return out;
}

/** The MIoT document as JSON text, 64-bit bounds written exactly. */
export function exportMiotJson(spec: ModelSpec, options: MiotExportOptions = {}): string {
  return `${stringifyExactJson(exportMiot(spec, options))}\n`;
}
