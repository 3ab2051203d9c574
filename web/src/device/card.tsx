import { useEffect, useMemo } from 'preact/hooks';
import { useRemote } from '../app.js';
import type { DeviceLive } from '../live/device-live.js';
import type { Remote } from '../live/remote.js';
import { cardLayout, formatValue, type PropertyControl } from '../spec/controls.js';
import type { CompiledSpec } from '../spec/model.js';
import { useObservable } from '../ui/hooks.js';
import { ago } from '../ui/time.js';
import { ActionForm, describeOutputs } from './action-form.js';
import { PropertyRow } from './controls.js';

/** Online or offline, as the hub last said; while the live link is down that is only the last known state. */
export function Presence({ live }: { live: DeviceLive }) {
  const { link } = useRemote();
  useObservable(link);
  if (live.online === undefined) return <span class="presence unknown">Checking…</span>;
  const stale = link.state.status !== 'online';
  const text = live.online
    ? 'Online'
    : `Offline${live.lastSeenAt ? ` · last seen ${ago(live.lastSeenAt)}` : ''}`;
  return (
    <span
      class={`presence ${live.online ? 'online' : 'offline'}${stale ? ' stale' : ''}`}
      data-presence={live.online ? 'online' : 'offline'}
    >
      <span class="dot" aria-hidden="true" />
      {stale ? `Last known: ${text.toLowerCase()}` : text}
    </span>
  );
}

export function describeSet(control: PropertyControl, value: unknown): string {
  return `${control.label} → ${formatValue(control, value)}`;
}

/**
 * The remote control of one device, generated from its model version's spec: one section per
 * service with a control per property and a button or form per action, device information last.
 */
export function DeviceCard({ remote, spec, live }: { remote: Remote; spec: CompiledSpec; live: DeviceLive }) {
  useObservable(live);
  const sections = useMemo(() => cardLayout(spec), [spec]);
  // Readable properties the device never reports: ask for them once it is online.
  const unreported = useMemo(
    () =>
      spec.properties
        .filter((p) => p.readable && !p.notifiable && p.service !== 'device-information')
        .map((p) => p.key),
    [spec],
  );
  const unreportedIn = (service: string) => unreported.filter((key) => key.startsWith(`${service}.`));
  const online = live.online === true;
  useEffect(() => {
    if (online) void remote.read(live.id, unreported);
  }, [remote, live.id, unreported, online]);

  const controls = sections.filter((s) => !s.info);
  const info = sections.find((s) => s.info);
  return (
    <div class="device-card" data-device={live.id}>
      {live.online === false && (
        <p class="offline-note" role="status">
          This device is offline. Changes you make are kept and applied when it is back online; actions need
          it online.
        </p>
      )}
      {controls.map((section) => (
        <section
          class="service card"
          key={section.service}
          data-service={section.service}
          aria-label={section.label}
        >
          {controls.length > 1 && <h3>{section.label}</h3>}
          {section.controls.map((control) => (
            <PropertyRow
              key={control.prop.key}
              control={control}
              live={live}
              onSet={(value) =>
                remote.setProperty(live.id, control.prop.key, value, describeSet(control, value))
              }
              onCancelDesired={() =>
                void remote.cancelDesired(live.id, control.prop.key).catch(() => undefined)
              }
            />
          ))}
          {section.actions.map((action) => (
            <ActionForm
              key={action.action.key}
              action={action}
              live={live}
              onRun={(inputs, describe) =>
                void remote
                  .runAction(live.id, action.action.key, inputs, describe, (data) =>
                    describeOutputs(action, data),
                  )
                  // An action may change what the device never reports (move-to sets target-position): read it again.
                  .then((r) =>
                    r.status === 'ok' ? remote.read(live.id, unreportedIn(section.service)) : undefined,
                  )
              }
            />
          ))}
        </section>
      ))}
      {info && (
        <details class="service card info" data-service={info.service}>
          <summary>Device information</summary>
          {info.controls.map((control) => (
            <PropertyRow key={control.prop.key} control={control} live={live} onSet={() => undefined} />
          ))}
        </details>
      )}
    </div>
  );
}
