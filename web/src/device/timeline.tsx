import type { DeviceEvent } from '../api/types.js';
import { formatValue, propertyControl } from '../spec/controls.js';
import { humanize } from '../spec/labels.js';
import type { CompiledSpec } from '../spec/model.js';
import { clock } from '../ui/time.js';

/** "Fault: Overheated, Filter used time: 120 h" from MIoT `{piid, value}` arguments. */
export function describeArguments(spec: CompiledSpec, event: DeviceEvent): string {
  const compiled = spec.event(event.event);
  return event.args
    .map((arg) => {
      const prop =
        compiled?.arguments.find((p) => p.piid === arg.piid) ??
        (compiled ? spec.propertyByIid(compiled.siid, arg.piid) : undefined);
      if (prop === undefined) return `${arg.piid}: ${String(arg.value)}`;
      const control = propertyControl(prop, true);
      return `${control.label}: ${formatValue(control, arg.value)}`;
    })
    .join(', ');
}

/** The device's events, newest first: live ones appear at the top as they happen. */
export function EventTimeline({ spec, events }: { spec: CompiledSpec; events: readonly DeviceEvent[] }) {
  if (spec.events.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      {events.length === 0 ? (
        <p class="muted">No events in the last 24 hours.</p>
      ) : (
        <ol class="timeline" aria-live="polite">
          {events.map((event) => {
            const compiled = spec.event(event.event);
            const args = describeArguments(spec, event);
            return (
              <li key={event.seq} data-event={event.event}>
                <time dateTime={event.ts}>{clock(event.ts)}</time>
                <strong>{humanize(compiled?.name ?? event.event)}</strong>
                {args && <span class="args">{args}</span>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
