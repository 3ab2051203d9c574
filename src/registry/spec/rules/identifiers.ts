import type { ModelSpec } from '../schema.js';
import { ecohubName } from '../types.js';
import { pointer } from '../violation.js';
import { defineRule, SERVICE_ITEM_KINDS } from './rule.js';

/** Lowercase words of letters and digits joined by single hyphens; no dots, since `.` joins service.property. */
export const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

interface Item {
  readonly iid: number;
  readonly name: string;
}

interface Level {
  /** What the items are, for messages: `service`, `property of service light`, ... */
  readonly noun: string;
  readonly where: string;
  readonly iidName: string;
  readonly items: readonly Item[];
  /** JSON pointer of the array holding the items. */
  readonly path: string;
}

/** Every level at which names and iids must be unique: services, then each service's three lists. */
function levels(spec: ModelSpec): Level[] {
  const result: Level[] = [
    { noun: 'service', where: 'in this model', iidName: 'siid', items: spec.services, path: '/services' },
  ];
  spec.services.forEach((service, serviceIndex) => {
    for (const kind of SERVICE_ITEM_KINDS) {
      result.push({
        noun: kind.noun,
        where: `in service ${service.name}`,
        iidName: kind.iidName,
        items: service[kind.key],
        path: pointer('services', serviceIndex, kind.key),
      });
    }
  });
  return result;
}

export const kebabCaseNamesRule = defineRule(
  'Q006',
  'error',
  'service, property, action and event names are kebab-case',
  (spec, report) => {
    for (const level of levels(spec)) {
      level.items.forEach((item, index) => {
        if (KEBAB_CASE.test(item.name)) return;
        const suggestion = toKebabCase(item.name);
        report(
          `${level.path}/${index}/name`,
          `${level.noun} name "${item.name}" is not kebab-case (lowercase words joined by "-"): ` +
            (suggestion === '' ? 'rename it' : `rename it to "${suggestion}"`),
        );
      });
    }
  },
);

export const uniqueNamesRule = defineRule(
  'Q007',
  'error',
  'names are unique per level (services in a model; properties, actions, events in a service)',
  (spec, report) => {
    for (const level of levels(spec)) {
      const firstIndex = new Map<string, number>();
      level.items.forEach((item, index) => {
        const first = firstIndex.get(item.name);
        if (first === undefined) {
          firstIndex.set(item.name, index);
          return;
        }
        report(
          `${level.path}/${index}/name`,
          `${level.noun} name "${item.name}" is already used ${level.where} (at index ${first}): rename one of them`,
        );
      });
    }
  },
);

export const uniqueIidsRule = defineRule(
  'Q008',
  'error',
  'iids are unique per level (siid in a model; piid, aiid, eiid in a service)',
  (spec, report) => {
    for (const level of levels(spec)) {
      const used = new Set<number>();
      let highest = 0;
      for (const item of level.items) highest = Math.max(highest, item.iid);
      level.items.forEach((item, index) => {
        if (!used.has(item.iid)) {
          used.add(item.iid);
          return;
        }
        highest += 1;
        report(
          `${level.path}/${index}/iid`,
          `${level.noun} ${item.name} reuses ${level.iidName} ${item.iid} ${level.where}: ` +
            `give it an unused ${level.iidName} such as ${highest}`,
        );
      });
    }
  },
);

/**
 * Best-effort kebab-case spelling for the fix hint: `ColorTemp` -> `color-temp`; MIoT's
 * `pm2.5-density` -> `pm25-density`, the name the catalog and the MIoT importer use.
 */
export function toKebabCase(name: string): string {
  return ecohubName(name);
}
