import { parseTypeUrn, type TypeKind } from '../types.js';
import { pointer } from '../violation.js';
import { defineRule, forEachProperty, SERVICE_ITEM_KINDS } from './rule.js';

/** MIoT type URNs (docs/spec.md, "Types and namespaces") and what they imply about the model. */

const ITEM_KIND: Record<(typeof SERVICE_ITEM_KINDS)[number]['key'], TypeKind> = {
  properties: 'property',
  actions: 'action',
  events: 'event',
};

export const typeUrnRule = defineRule(
  'Q023',
  'error',
  "a type is a MIoT type URN of the item's kind, in miot-spec-v2 or a {vendor}-spec namespace",
  (spec, report) => {
    const check = (type: string | undefined, kind: TypeKind, path: string) => {
      if (type === undefined) return;
      const parsed = parseTypeUrn(type);
      if (!parsed.ok) {
        report(path, `type "${type}" ${parsed.problem}`);
      } else if (parsed.urn.kind !== kind) {
        report(
          path,
          `type "${type}" is a ${parsed.urn.kind} type on a ${kind}: use a urn:{namespace}:${kind}:... type or remove "type"`,
        );
      }
    };
    check(spec.type, 'device', '/type');
    spec.services.forEach((service, serviceIndex) => {
      check(service.type, 'service', pointer('services', serviceIndex, 'type'));
      for (const kind of SERVICE_ITEM_KINDS) {
        service[kind.key].forEach((item, index) => {
          check(item.type, ITEM_KIND[kind.key], pointer('services', serviceIndex, kind.key, index, 'type'));
        });
      }
    });
  },
);

export const deviceTypeCategoryRule = defineRule(
  'Q024',
  'error',
  "the device type is one of the category's MIoT device types",
  (spec, report, ctx) => {
    if (spec.type === undefined) return;
    const parsed = parseTypeUrn(spec.type);
    const category = ctx.catalog.categories.get(spec.category);
    // A malformed type is Q023's finding, an unknown category Q003's.
    if (!parsed.ok || parsed.urn.kind !== 'device' || category === undefined) return;
    const miotTypes = category.miotTypes ?? [category.id];
    if (miotTypes.includes(parsed.urn.name)) return;
    const fitting = ctx.catalog.categoryForMiotType(parsed.urn.name);
    report(
      '/type',
      `device type ${parsed.urn.name} is not a ${category.id} (MIoT types ${miotTypes.join(', ')}): ` +
        (fitting === undefined
          ? 'fix "type" or "category"'
          : `set "category" to ${fitting.id} (and the model id to match), or fix "type"`),
    );
  },
);

export const parameterUseRule = defineRule(
  'Q025',
  'warning',
  'a parameter-only property (empty access) is an argument of some action or event of its service',
  (spec, report) => {
    forEachProperty(spec, ({ service, property, label, path }) => {
      if (property.access.length > 0) return;
      const used =
        service.actions.some(
          (action) => action.in.includes(property.iid) || action.out.includes(property.iid),
        ) || service.events.some((event) => event.arguments.includes(property.iid));
      if (used) return;
      report(
        path,
        `property ${label} has no access and no action or event of service ${service.name} uses it, so it can ` +
          "never be read, written, reported or passed: list it in an action's in/out or an event's arguments, " +
          'give it access, or remove it',
      );
    });
  },
);
