import { describeAccess, describeFormats, type ServiceRequirement } from '../catalog.js';
import type { ModelSpec } from '../schema.js';
import { pointer } from '../violation.js';
import { defineRule, type Report } from './rule.js';

/**
 * Checks a model against service requirements from the catalog. When a model has two services of the
 * same name (itself a Q007 finding) the first one is the one checked.
 */
function checkRequirements(
  spec: ModelSpec,
  requirements: readonly ServiceRequirement[],
  reason: string,
  report: Report,
): void {
  for (const requirement of requirements) {
    const serviceIndex = spec.services.findIndex((service) => service.name === requirement.name);
    const service = spec.services[serviceIndex];
    if (service === undefined) {
      if (requirement.required) {
        const needed = requirement.properties.filter((p) => p.required).map((p) => p.name);
        report(
          '/services',
          `${reason} requires service ${requirement.name}` +
            (needed.length > 0 ? ` (with ${needed.join(', ')})` : '') +
            `: add a service named "${requirement.name}"`,
        );
      }
      continue;
    }
    for (const wanted of requirement.properties) {
      const propertyIndex = service.properties.findIndex((property) => property.name === wanted.name);
      const property = service.properties[propertyIndex];
      const label = `${requirement.name}.${wanted.name}`;
      if (property === undefined) {
        if (wanted.required) {
          report(
            pointer('services', serviceIndex, 'properties'),
            `${reason} requires property ${label}: add a property named "${wanted.name}" to service ${requirement.name}`,
          );
        }
        continue;
      }
      const propertyPath = pointer('services', serviceIndex, 'properties', propertyIndex);
      const at = (field: string) => propertyPath + pointer(field);
      if (wanted.formats !== undefined && !wanted.formats.includes(property.format)) {
        report(
          at('format'),
          `${reason}: property ${label} has format ${property.format}; ` +
            `change it to ${describeFormats(wanted.formats)}`,
        );
      }
      const missingAccess = wanted.access?.filter((access) => !property.access.includes(access)) ?? [];
      if (missingAccess.length > 0) {
        report(
          at('access'),
          `${reason}: property ${label} must allow ${describeAccess(wanted.access ?? [])}; ` +
            `add ${missingAccess.join(', ')} to its access`,
        );
      }
      if (wanted.unit !== undefined && property.unit !== wanted.unit) {
        report(
          property.unit === undefined ? propertyPath : at('unit'),
          `${reason}: property ${label} must be measured in ${wanted.unit}` +
            (property.unit === undefined ? '; add "unit": ' : `, not ${property.unit}; set "unit" to `) +
            `"${wanted.unit}"`,
        );
      }
    }
  }
}

export const deviceInformationRule = defineRule(
  'Q001',
  'error',
  'every model has the device-information service with manufacturer, model, serial-number, firmware-revision',
  (spec, report, ctx) => checkRequirements(spec, ctx.catalog.commonServices, 'every model', report),
);

export const categoryRequirementsRule = defineRule(
  'Q002',
  'error',
  "a model has the services and properties its category requires, with the catalog's format, access and unit",
  (spec, report, ctx) => {
    const category = ctx.catalog.categories.get(spec.category);
    if (category === undefined) return; // Q003 reports it
    checkRequirements(spec, category.services, `category ${category.id}`, report);
  },
);

export const knownCategoryRule = defineRule(
  'Q003',
  'error',
  'the category is one of the catalog',
  (spec, report, ctx) => {
    if (ctx.catalog.categories.has(spec.category)) return;
    const known = [...ctx.catalog.categories.keys()].join(', ');
    report('/category', `unknown category "${spec.category}": use one of ${known}`);
  },
);
