import type { CategoryCatalog } from '../catalog.js';
import { DEFAULT_STRING_MAX_LENGTH, isTextFormat, isWideFormat } from '../formats.js';
import {
  type ActionSpec,
  type EnumEntry,
  type EventSpec,
  MAX_IID,
  MIN_IID,
  PROPERTY_ACCESS,
  PROPERTY_FORMATS,
  type PropertyAccess,
  type PropertyFormat,
  type PropertySpec,
} from '../schema.js';
import { wideJson } from '../wide.js';
import {
  KNOWN_FIELDS,
  type MiotAction,
  type MiotEvent,
  type MiotProperty,
  type MiotValueListEntry,
} from './instance.js';
import type { ImportRecord } from './record.js';

/** Converts the properties, actions and events of one MIoT service (paths point into the source). */

const MAX_DESCRIPTION = 1024;
const MAX_ENUM_DESCRIPTION = 256;

export function checkIid(iid: number, path: string, record: ImportRecord): boolean {
  if (iid >= MIN_IID && iid <= MAX_IID) return true;
  record.error(`${path}/iid`, `iid ${iid} is outside ${MIN_IID}..${MAX_IID}: MIoT iids are 16-bit`);
  return false;
}

export function description(
  text: string | undefined,
  path: string,
  record: ImportRecord,
  limit = MAX_DESCRIPTION,
): string {
  const value = text ?? '';
  if ([...value].length <= limit) return value;
  record.note(
    `${path}/description`,
    'converted',
    `the description is longer than ${limit} characters: shortened`,
  );
  return [...value].slice(0, limit).join('');
}

export function convertProperty(
  source: MiotProperty,
  name: string,
  path: string,
  record: ImportRecord,
  catalog: CategoryCatalog,
): PropertySpec | undefined {
  record.dropUnknown(source, KNOWN_FIELDS.property, path, `property ${name}`);
  if (!checkIid(source.iid, path, record)) return undefined;
  if (!(PROPERTY_FORMATS as readonly string[]).includes(source.format)) {
    record.error(
      `${path}/format`,
      `format "${source.format}" is not a MIoT-Spec-V2 format (${PROPERTY_FORMATS.join(', ')})`,
    );
    return undefined;
  }
  const format = source.format as PropertyFormat;
  const property: PropertySpec = {
    iid: source.iid,
    name,
    type: source.type,
    description: description(source.description, path, record),
    format,
    access: access(source.access, `${path}/access`, record),
  };
  if (source.unit !== undefined) property.unit = unit(source.unit, `${path}/unit`, record, catalog);
  const range = source['value-range'];
  if (range !== undefined) {
    const converted = valueRange(range, format, `${path}/value-range`, record);
    if (converted !== undefined) property.range = converted;
  }
  const list = source['value-list'];
  if (list !== undefined) property.enum = valueList(list, `${path}/value-list`, record);
  if (isTextFormat(format)) {
    property.maxLength = DEFAULT_STRING_MAX_LENGTH;
    record.note(
      path,
      'added',
      `MIoT ${format} properties have no length bound: maxLength ${DEFAULT_STRING_MAX_LENGTH} (the default) ` +
        'added; raise it (up to 4096) if the firmware stores more',
    );
  }
  return property;
}

function access(values: readonly string[], path: string, record: ImportRecord): PropertyAccess[] {
  const result: PropertyAccess[] = [];
  values.forEach((value, index) => {
    if (!(PROPERTY_ACCESS as readonly string[]).includes(value)) {
      record.note(`${path}/${index}`, 'dropped', `access "${value}" is not read, write or notify; dropped`);
    } else if (result.includes(value as PropertyAccess)) {
      record.note(`${path}/${index}`, 'dropped', `access "${value}" is listed twice; the repeat is dropped`);
    } else {
      result.push(value as PropertyAccess);
    }
  });
  return result;
}

function unit(spelling: string, path: string, record: ImportRecord, catalog: CategoryCatalog): string {
  const id = catalog.unitFor(spelling);
  // An unknown unit is kept as it is: lint (Q010) names it with a hint, and the partner decides.
  if (id === undefined || id === spelling) return spelling;
  record.note(
    path,
    'converted',
    `unit "${spelling}" is spelled "${id}" in ecohub (ASCII unit ids); export writes "${spelling}" again`,
  );
  return id;
}

type Bound = NonNullable<PropertySpec['range']>[number];

function valueRange(
  range: ReadonlyArray<number | bigint>,
  format: PropertyFormat,
  path: string,
  record: ImportRecord,
): [Bound, Bound, Bound] | undefined {
  if (range.length !== 3) {
    record.error(path, `value-range has ${range.length} entries: it must be [min, max, step]`);
    return undefined;
  }
  const bound = (value: number | bigint): Bound => {
    // 64-bit bounds take the canonical spelling (decimal strings beyond 2^53 - 1); others stay numbers.
    if (isWideFormat(format) && (typeof value === 'bigint' || Number.isInteger(value)))
      return wideJson(BigInt(value));
    return Number(value);
  };
  const converted = range.map(bound) as [Bound, Bound, Bound];
  range.forEach((value, index) => {
    if (typeof converted[index] === 'string') {
      record.note(
        `${path}/${index}`,
        'converted',
        `${value} is beyond 2^53 - 1: written as the decimal string "${converted[index]}" (docs/spec.md, 64-bit integers)`,
      );
    }
  });
  return converted;
}

function valueList(entries: readonly MiotValueListEntry[], path: string, record: ImportRecord): EnumEntry[] {
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const at = `${path}/${index}`;
    record.dropUnknown(entry, KNOWN_FIELDS.valueListEntry, at, 'value-list entry');
    const value = Number(entry.value);
    let text = description(entry.description, at, record, MAX_ENUM_DESCRIPTION);
    if (text.trim() === '') {
      text = `Value ${value}`;
      record.note(
        `${at}/description`,
        'converted',
        `value ${value} has no description, which the app needs as a choice: described as "${text}"`,
      );
    }
    // Compared as Q018 does: a user does not tell "Auto" from "auto ".
    if (seen.has(text.trim().toLowerCase())) {
      const unique = `${text.trim()} (${value})`;
      record.note(
        `${at}/description`,
        'converted',
        `description "${text}" is used twice: this one is "${unique}"`,
      );
      text = unique;
    }
    seen.add(text.trim().toLowerCase());
    return { value, description: text };
  });
}

function iidList(values: readonly number[] | undefined): number[] {
  return values === undefined ? [] : [...values];
}

export function convertAction(
  source: MiotAction,
  name: string,
  path: string,
  record: ImportRecord,
): ActionSpec | undefined {
  record.dropUnknown(source, KNOWN_FIELDS.action, path, `action ${name}`);
  if (!checkIid(source.iid, path, record)) return undefined;
  return {
    iid: source.iid,
    name,
    type: source.type,
    description: description(source.description, path, record),
    in: iidList(source.in),
    out: iidList(source.out),
  };
}

export function convertEvent(
  source: MiotEvent,
  name: string,
  path: string,
  record: ImportRecord,
): EventSpec | undefined {
  record.dropUnknown(source, KNOWN_FIELDS.event, path, `event ${name}`);
  if (!checkIid(source.iid, path, record)) return undefined;
  return {
    iid: source.iid,
    name,
    type: source.type,
    description: description(source.description, path, record),
    arguments: iidList(source.arguments),
  };
}
