import type { ServiceSpec } from '../schema.js';
import { pointer } from '../violation.js';
import { defineRule, type Report } from './rule.js';

/**
 * MIoT action parameters and event arguments are properties of the same service, named by piid. A
 * dangling or repeated piid would make every command or event of that kind impossible to check.
 */
function checkRefs(
  service: ServiceSpec,
  owner: string,
  field: string,
  refs: readonly number[],
  path: string,
  report: Report,
): void {
  const seen = new Set<number>();
  refs.forEach((piid, index) => {
    if (seen.has(piid)) {
      report(`${path}/${index}`, `${owner} lists piid ${piid} twice in "${field}": remove the repeat`);
      return;
    }
    seen.add(piid);
    if (service.properties.some((property) => property.iid === piid)) return;
    const known = service.properties.map((property) => `${property.iid} (${property.name})`).join(', ');
    report(
      `${path}/${index}`,
      `${owner} refers in "${field}" to piid ${piid}, which service ${service.name} does not have: ` +
        (known === ''
          ? 'add that property to the service'
          : `use one of ${known} or add the property to the service`),
    );
  });
}

export const parameterReferencesRule = defineRule(
  'Q009',
  'error',
  'action in/out and event arguments name existing piids of the same service, each once',
  (spec, report) => {
    spec.services.forEach((service, serviceIndex) => {
      service.actions.forEach((action, actionIndex) => {
        const owner = `action ${service.name}.${action.name}`;
        const base = pointer('services', serviceIndex, 'actions', actionIndex);
        checkRefs(service, owner, 'in', action.in, `${base}/in`, report);
        checkRefs(service, owner, 'out', action.out, `${base}/out`, report);
      });
      service.events.forEach((event, eventIndex) => {
        const base = pointer('services', serviceIndex, 'events', eventIndex);
        checkRefs(
          service,
          `event ${service.name}.${event.name}`,
          'arguments',
          event.arguments,
          `${base}/arguments`,
          report,
        );
      });
    });
  },
);
