import type { ImportNote } from '../../src/registry/spec/index.js';

/**
 * What a MIoT document says that a round trip must keep: services, iids, types, descriptions,
 * formats, access, units, ranges, value lists and argument lists. A list MIoT left out is the same as
 * an empty one; fields the importer drops with a note (comment, source, gatt-access) are not compared.
 */

type Json = unknown;

function record(value: Json): Record<string, Json> {
  return typeof value === 'object' && value !== null ? (value as Record<string, Json>) : {};
}

function list(value: Json): Json[] {
  return Array.isArray(value) ? value : [];
}

/** Exact text of a number (bigints included), so 64-bit bounds compare digit for digit. */
function exact(value: Json): string {
  return typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
}

export function essentials(doc: Json): Json {
  const d = record(doc);
  return {
    type: d['type'],
    description: d['description'],
    services: list(d['services']).map((service) => {
      const s = record(service);
      return {
        iid: s['iid'],
        type: s['type'],
        description: s['description'],
        properties: list(s['properties']).map((property) => {
          const p = record(property);
          return {
            iid: p['iid'],
            type: p['type'],
            description: p['description'],
            format: p['format'],
            access: p['access'],
            unit: p['unit'],
            range: p['value-range'] === undefined ? undefined : list(p['value-range']).map(exact),
            list:
              p['value-list'] === undefined
                ? undefined
                : list(p['value-list']).map((entry) => ({
                    value: record(entry)['value'],
                    description: record(entry)['description'],
                  })),
          };
        }),
        actions: list(s['actions']).map((action) => {
          const a = record(action);
          return {
            iid: a['iid'],
            type: a['type'],
            description: a['description'],
            in: list(a['in']),
            out: list(a['out']),
          };
        }),
        events: list(s['events']).map((event) => {
          const e = record(event);
          return {
            iid: e['iid'],
            type: e['type'],
            description: e['description'],
            arguments: list(e['arguments']),
          };
        }),
      };
    }),
  };
}

/**
 * The source's essentials with the changes the import notes announce applied, so that what is left
 * to differ after a round trip is exactly what nobody was told about: value-list descriptions the
 * importer filled in or told apart, access entries it dropped, and a device-information service it
 * added (reported at /services).
 */
export function expectedAfterRoundTrip(source: Json, notes: readonly ImportNote[], exported: Json): Json {
  const expected = record(essentials(source));
  const services = list(expected['services']).map(record);
  for (const note of notes) {
    const m = /^\/services\/(\d+)\/properties\/(\d+)\/value-list\/(\d+)\/description$/.exec(note.path);
    if (m === null || note.kind !== 'converted') continue;
    const [, s, p, v] = m.map(Number) as [number, number, number, number];
    const entry = record(list(record(list(services[s]?.['properties'])[p])['list'])[v]);
    entry['description'] = /"([^"]*)"$/.exec(note.message)?.[1];
  }
  const droppedAccess = new Map<Record<string, Json>, Set<number>>();
  for (const note of notes) {
    const m = /^\/services\/(\d+)\/properties\/(\d+)\/access\/(\d+)$/.exec(note.path);
    if (m === null || note.kind !== 'dropped') continue;
    const [, s, p, a] = m.map(Number) as [number, number, number, number];
    const property = record(list(services[s]?.['properties'])[p]);
    droppedAccess.set(property, (droppedAccess.get(property) ?? new Set()).add(a));
  }
  for (const [property, indexes] of droppedAccess) {
    property['access'] = list(property['access']).filter((_, index) => !indexes.has(index));
  }
  if (notes.some((n) => n.path === '/services' && n.kind === 'added')) {
    const added = list(record(essentials(exported))['services']).find((x) => record(x)['iid'] === 1);
    services.unshift(record(added));
  }
  return { ...expected, services };
}
