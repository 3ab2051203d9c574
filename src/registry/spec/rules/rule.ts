import type { CategoryCatalog } from '../catalog.js';
import type { ModelSpec, PropertySpec, ServiceSpec } from '../schema.js';
import { pointer, type Severity, type Violation } from '../violation.js';

export interface RuleContext {
  readonly catalog: CategoryCatalog;
}

/** A static quality rule over a schema-valid model document. */
export interface QualityRule {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  check(spec: ModelSpec, ctx: RuleContext): Violation[];
}

/** Receives one finding: a JSON pointer and a message that says what is wrong and how to fix it. */
export type Report = (path: string, message: string) => void;

/** Defines a rule whose findings all carry its id and severity, so a rule body only says what and where. */
export function defineRule(
  id: string,
  severity: Severity,
  title: string,
  inspect: (spec: ModelSpec, report: Report, ctx: RuleContext) => void,
): QualityRule {
  return {
    id,
    severity,
    title,
    check(spec, ctx) {
      const violations: Violation[] = [];
      inspect(spec, (path, message) => violations.push({ rule: id, severity, path, message }), ctx);
      return violations;
    },
  };
}

export interface PropertySite {
  readonly service: ServiceSpec;
  readonly property: PropertySpec;
  /** `service.property`, how people and the MQTT protocol name a property. */
  readonly label: string;
  /** JSON pointer to the property, e.g. `/services/1/properties/0`. */
  readonly path: string;
}

/** Visits every property of the model with its label and JSON pointer. */
export function forEachProperty(spec: ModelSpec, visit: (site: PropertySite) => void): void {
  spec.services.forEach((service, serviceIndex) => {
    service.properties.forEach((property, propertyIndex) => {
      visit({
        service,
        property,
        label: `${service.name}.${property.name}`,
        path: pointer('services', serviceIndex, 'properties', propertyIndex),
      });
    });
  });
}

/** The three kinds of items a service holds; their names and iids share rules. */
export const SERVICE_ITEM_KINDS = [
  { key: 'properties', noun: 'property', iidName: 'piid' },
  { key: 'actions', noun: 'action', iidName: 'aiid' },
  { key: 'events', noun: 'event', iidName: 'eiid' },
] as const;
