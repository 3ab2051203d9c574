import { type CategoryCatalog, type CategoryDefinition, defaultCatalog } from '../catalog.js';
import { DEFAULT_STRING_MAX_LENGTH } from '../formats.js';
import type { ModelSpec, PropertySpec, ServiceSpec } from '../schema.js';
import { schemaViolations } from '../schema-errors.js';
import { formatTypeUrn, parseTypeUrn, STANDARD_NAMESPACE, type TypeUrn } from '../types.js';
import { pointer, type Violation } from '../violation.js';
import { parseExactJson } from './exact-json.js';
import { checkIid, convertAction, convertEvent, convertProperty, description } from './import-items.js';
import {
  KNOWN_FIELDS,
  MAX_MIOT_DOCUMENT_BYTES,
  type MiotInstance,
  MiotInstanceCheck,
  type MiotService,
} from './instance.js';
import { nameInstances } from './naming.js';
import { type ImportNote, ImportRecord } from './record.js';

/**
 * MIoT-Spec-V2 instance -> ecohub model document, as faithfully as the format allows: every iid,
 * type, format, access, unit, range, value list and argument list is kept; what had to change (a
 * name, a unit spelling, a default, a dropped field) is listed as a note with a JSON pointer into
 * the source. The result is a document to lint (it may still break quality rules); an error means
 * there was nothing sensible to convert.
 */

export interface ImportOptions {
  /** The model id to give the document; by default `{partner}.{category}.{code}` from the device type. */
  readonly model?: string | undefined;
  /** The partner segment of the default model id (default: the vendor in the device type's product). */
  readonly partner?: string | undefined;
  readonly catalog?: CategoryCatalog | undefined;
}

export type ImportResult =
  | { readonly ok: true; readonly document: ModelSpec; readonly notes: readonly ImportNote[] }
  | { readonly ok: false; readonly errors: readonly Violation[]; readonly notes: readonly ImportNote[] };

/** Parses JSON text exactly (64-bit integers included), then imports it. */
export function importMiotJson(text: string, options: ImportOptions = {}): ImportResult {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_MIOT_DOCUMENT_BYTES) {
    return failed(`the document is ${size} bytes, over the ${MAX_MIOT_DOCUMENT_BYTES}-byte limit`);
  }
  let source: unknown;
  try {
    source = parseExactJson(text);
  } catch (error) {
    return failed(
      `not valid JSON (${error instanceof Error ? error.message : String(error)}): fix the syntax`,
    );
  }
  return importMiot(source, options);
}

export function importMiot(source: unknown, options: ImportOptions = {}): ImportResult {
  const catalog = options.catalog ?? defaultCatalog;
  if (!MiotInstanceCheck.Check(source)) {
    const errors = schemaViolations(MiotInstanceCheck.Errors(source)).map((v) => ({
      ...v,
      rule: 'IMPORT',
      message: `not a MIoT-Spec-V2 instance document: ${v.message}`,
    }));
    return { ok: false, errors, notes: [] };
  }
  const record = new ImportRecord();
  record.dropUnknown(source, KNOWN_FIELDS.instance, '', 'the document');
  const device = parseTypeUrn(source.type);
  if (!device.ok || device.urn.kind !== 'device') {
    record.error('/type', `type "${source.type}" ${device.ok ? 'is not a device type' : device.problem}`);
    return { ok: false, errors: record.errors, notes: record.notes };
  }
  const category = catalog.categoryForMiotType(device.urn.name);
  if (category === undefined) {
    const known = [...catalog.categories.values()].flatMap((c) => c.miotTypes ?? [c.id]).join(', ');
    record.error(
      '/type',
      `MIoT device type ${device.urn.name} has no ecohub category (MIoT types with one: ${known})`,
    );
    return { ok: false, errors: record.errors, notes: record.notes };
  }
  const model = modelId(device.urn, category, options, record);
  const services = convertServices(source, device.urn, record, catalog);
  if (model === undefined || record.errors.length > 0)
    return { ok: false, errors: record.errors, notes: record.notes };
  const name = (source.description ?? '').trim() || model;
  const document: ModelSpec = {
    model,
    type: source.type,
    specVersion: specVersion(device.urn, record),
    name: { en: [...name].slice(0, 128).join('') },
    category: category.id,
    assets: { icon: `icons/${model}.png`, shortName: shortName(name) },
    addressing: 'iid',
    services,
  };
  record.note(
    '',
    'added',
    `MIoT has no design assets: icon "${document.assets.icon}" and shortName "${document.assets.shortName}" are placeholders to replace`,
  );
  record.note(
    '',
    'added',
    'addressing "iid": MIoT firmware addresses properties, actions and events by siid/piid/aiid/eiid',
  );
  return { ok: true, document, notes: record.notes };
}

function failed(message: string): ImportResult {
  return { ok: false, errors: [{ rule: 'IMPORT', severity: 'error', path: '', message }], notes: [] };
}

function modelId(
  device: TypeUrn,
  category: CategoryDefinition,
  options: ImportOptions,
  record: ImportRecord,
): string | undefined {
  if (options.model !== undefined) return options.model;
  const product = device.product ?? '';
  const dash = product.indexOf('-');
  const vendor = dash > 0 ? product.slice(0, dash) : '';
  const code = segment(product.slice(dash + 1), 32);
  const partner = segment(options.partner ?? vendor, 32);
  if (partner.length < 2 || code === '') {
    record.error(
      '/type',
      `the device type names no {vendor}-{product} to make a model id from: give the model id (--model)`,
    );
    return undefined;
  }
  const id = `${partner}.${category.id}.${code}`;
  record.note(
    '/type',
    'added',
    `model id ${id}: partner ${partner}, category ${category.id} (MIoT type ${device.name}), code ${code}`,
  );
  return id;
}

/** A model id segment: lowercase letters, digits and "-", starting with a letter or digit. */
function segment(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

function specVersion(device: TypeUrn, record: ImportRecord): number {
  if (device.version !== undefined && device.version >= 1) return device.version;
  record.note('/type', 'added', 'the device type names no instance version: specVersion 1');
  return 1;
}

/** The label under the icon: the leading words of the name that fit in 12 characters. */
function shortName(name: string): string {
  let result = '';
  for (const word of name.split(/\s+/)) {
    const next = result === '' ? word : `${result} ${word}`;
    if ([...next].length > 12) break;
    result = next;
  }
  return result === '' ? [...name].slice(0, 12).join('').trim() || 'Device' : result;
}

function typeName(type: string): string {
  const parsed = parseTypeUrn(type);
  return parsed.ok ? parsed.urn.name : type;
}

function convertServices(
  source: MiotInstance,
  device: TypeUrn,
  record: ImportRecord,
  catalog: CategoryCatalog,
): ServiceSpec[] {
  const names = nameInstances(
    source.services.map((service) => ({ iid: service.iid, typeName: typeName(service.type) })),
    'service',
    'siid',
  );
  const services: ServiceSpec[] = [];
  source.services.forEach((service, index) => {
    const path = pointer('services', index);
    const chosen = names[index];
    if (chosen === undefined || !checkIid(service.iid, path, record)) return;
    if (chosen.why !== undefined)
      record.note(`${path}/type`, 'renamed', `service named ${chosen.name}: ${chosen.why}`);
    services.push(convertService(service, chosen.name, path, record, catalog));
  });
  const hasInformation = services.some((s) => s.iid === 1 || s.name === 'device-information');
  if (!hasInformation) {
    services.unshift(deviceInformation(device));
    record.note(
      '/services',
      'added',
      'no device-information service (siid 1), which every MIoT device has: the standard one was added ' +
        '(manufacturer, model, serial-number, firmware-revision)',
    );
  }
  return services;
}

function convertService(
  service: MiotService,
  name: string,
  path: string,
  record: ImportRecord,
  catalog: CategoryCatalog,
): ServiceSpec {
  record.dropUnknown(service, KNOWN_FIELDS.service, path, `service ${name}`);
  const level = <T extends { iid: number; type: string }, R>(
    items: readonly T[] | undefined,
    key: 'properties' | 'actions' | 'events',
    noun: string,
    iidName: string,
    convert: (item: T, name: string, path: string) => R | undefined,
  ): R[] => {
    const list = items ?? [];
    const chosen = nameInstances(
      list.map((item) => ({ iid: item.iid, typeName: typeName(item.type) })),
      noun,
      iidName,
    );
    const result: R[] = [];
    list.forEach((item, index) => {
      const at = `${path}/${key}/${index}`;
      const itemName = chosen[index]?.name ?? `${noun}-${item.iid}`;
      const why = chosen[index]?.why;
      if (why !== undefined) record.note(`${at}/type`, 'renamed', `${noun} named ${itemName}: ${why}`);
      const converted = convert(item, itemName, at);
      if (converted !== undefined) result.push(converted);
    });
    return result;
  };
  return {
    iid: service.iid,
    name,
    type: service.type,
    description: description(service.description, path, record),
    properties: level(service.properties, 'properties', 'property', 'piid', (p, n, at) =>
      convertProperty(p, n, at, record, catalog),
    ),
    actions: level(service.actions, 'actions', 'action', 'aiid', (a, n, at) =>
      convertAction(a, n, at, record),
    ),
    events: level(service.events, 'events', 'event', 'eiid', (e, n, at) => convertEvent(e, n, at, record)),
  };
}

/** MIoT's standard device-information service (siid 1), typed for the device's product and version. */
function deviceInformation(device: TypeUrn): ServiceSpec {
  const type = (kind: 'service' | 'property', name: string, id: string) =>
    formatTypeUrn({
      namespace: STANDARD_NAMESPACE,
      kind,
      name,
      id,
      product: device.product,
      version: device.version,
      rest: [],
    });
  const property = (iid: number, name: string, id: string, text: string): PropertySpec => ({
    iid,
    name,
    type: type('property', name, id),
    description: text,
    format: 'string',
    access: ['read'],
    maxLength: DEFAULT_STRING_MAX_LENGTH,
  });
  return {
    iid: 1,
    name: 'device-information',
    type: type('service', 'device-information', '00007801'),
    description: 'Device Information',
    properties: [
      property(1, 'manufacturer', '00000001', 'Device Manufacturer'),
      property(2, 'model', '00000002', 'Device Model'),
      property(3, 'serial-number', '00000003', 'Device Serial Number'),
      property(4, 'firmware-revision', '00000005', 'Current Firmware Version'),
    ],
    actions: [],
    events: [],
  };
}
