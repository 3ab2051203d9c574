import {
  describeAccess,
  describeFormats,
  type PropertyRequirement,
  type ServiceRequirement,
} from '../catalog.js';
import type { ModelSpec, PropertySpec, ServiceSpec } from '../schema.js';
import { isStandardType, type Typed, typeNameOf } from '../types.js';
import { pointer } from '../violation.js';
import { defineRule, type Report } from './rule.js';

/**
 * Checks a model against service requirements from the catalog. Requirements name standard types:
 * a service or property counts when its type (its `type` URN's name, or its own name when it has no
 * type) is the required one, in the miot-spec-v2 namespace. A type may have several instances (a
 * three-gang switch has three `switch` services): each instance must meet the service's property
 * requirements. A property type may also repeat within a service (a thermostat with three `on`);
 * there the requirement is met when one instance meets it.
 */

interface Finding {
  readonly path: string;
  readonly message: string;
}

function instancesOf<T extends Typed>(items: readonly T[], typeName: string): Array<[T, number]> {
  const found: Array<[T, number]> = [];
  items.forEach((item, index) => {
    if (isStandardType(item) && typeNameOf(item) === typeName) found.push([item, index]);
  });
  return found;
}

/** What is wrong with one property against one requirement; empty when it meets it. */
function propertyFindings(
  property: PropertySpec,
  wanted: PropertyRequirement,
  label: string,
  reason: string,
  propertyPath: string,
): Finding[] {
  const findings: Finding[] = [];
  const at = (field: string) => propertyPath + pointer(field);
  if (wanted.formats !== undefined && !wanted.formats.includes(property.format)) {
    findings.push({
      path: at('format'),
      message:
        `${reason}: property ${label} has format ${property.format}; ` +
        `change it to ${describeFormats(wanted.formats)}`,
    });
  }
  const missingAccess = wanted.access?.filter((access) => !property.access.includes(access)) ?? [];
  if (missingAccess.length > 0) {
    findings.push({
      path: at('access'),
      message:
        `${reason}: property ${label} must allow ${describeAccess(wanted.access ?? [])}; ` +
        `add ${missingAccess.join(', ')} to its access`,
    });
  }
  // unitOptional: real specs may leave the unit unstated, absent or as "none"; a stated unit must match.
  const unstated = property.unit === undefined || (wanted.unitOptional === true && property.unit === 'none');
  const unitMissing = unstated && wanted.unitOptional !== true;
  const unitWrong = !unstated && property.unit !== wanted.unit;
  if (wanted.unit !== undefined && (unitMissing || unitWrong)) {
    findings.push({
      path: property.unit === undefined ? propertyPath : at('unit'),
      message:
        `${reason}: property ${label} must be measured in ${wanted.unit}` +
        (property.unit === undefined ? '; add "unit": ' : `, not ${property.unit}; set "unit" to `) +
        `"${wanted.unit}"`,
    });
  }
  return findings;
}

function checkService(
  service: ServiceSpec,
  serviceIndex: number,
  requirement: ServiceRequirement,
  reason: string,
  report: Report,
): void {
  for (const wanted of requirement.properties) {
    const candidates = instancesOf(service.properties, wanted.name);
    const label = `${service.name}.${wanted.name}`;
    if (candidates.length === 0) {
      if (wanted.required) {
        report(
          pointer('services', serviceIndex, 'properties'),
          `${reason} requires property ${label}: add a property named "${wanted.name}" to service ${service.name}`,
        );
      }
      continue;
    }
    let first: Finding[] | undefined;
    for (const [property, propertyIndex] of candidates) {
      const path = pointer('services', serviceIndex, 'properties', propertyIndex);
      const findings = propertyFindings(property, wanted, `${service.name}.${property.name}`, reason, path);
      if (findings.length === 0) {
        first = [];
        break;
      }
      first ??= findings;
    }
    for (const finding of first ?? []) report(finding.path, finding.message);
  }
}

function checkRequirements(
  spec: ModelSpec,
  requirements: readonly ServiceRequirement[],
  reason: string,
  report: Report,
): void {
  for (const requirement of requirements) {
    const instances = instancesOf(spec.services, requirement.name);
    if (instances.length === 0) {
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
    for (const [service, serviceIndex] of instances)
      checkService(service, serviceIndex, requirement, reason, report);
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
