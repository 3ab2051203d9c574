import { useId } from 'preact/hooks';
import type { DeviceState } from '../api/types.js';
import type { Remote } from '../live/remote.js';
import { formatValue, primaryReading, primarySwitch, propertyControl } from '../spec/controls.js';
import { useObservable } from '../ui/hooks.js';
import { describeSet, Presence } from './card.js';
import { deviceTitle, shortId } from './names.js';
import { CommandStatus } from './status.js';
import { useModel } from './use-model.js';

/** A device in the list: name, place, presence, and its main switch or reading for a one-tap change. */
export function DeviceTile({ remote, state }: { remote: Remote; state: DeviceState }) {
  const live = remote.live(state.id);
  useObservable(live);
  const { spec, error } = useModel(remote, state);
  const id = useId();
  const title = deviceTitle(spec, state);
  const power = spec ? primarySwitch(spec) : undefined;
  const reading = spec && !power ? primaryReading(spec) : undefined;
  const powerControl = power ? propertyControl(power) : undefined;
  const shown = power ? live.shown(power.key) : undefined;
  return (
    <li class="tile card" data-device={state.id}>
      <div class="tile-head">
        <a class="tile-link" href={`/devices/${state.id}`} id={`${id}-name`}>
          <span class="name">{title}</span>
          <span class="sub">{shortId(state.id)}</span>
        </a>
        <Presence live={live} />
      </div>
      {error && <p class="error-note">{error}</p>}
      {powerControl && shown && (
        <div class="tile-control" data-prop={powerControl.prop.key}>
          <label for={`${id}-power`}>{powerControl.label}</label>
          <input
            id={`${id}-power`}
            type="checkbox"
            role="switch"
            class="switch"
            checked={shown.value === true}
            aria-checked={shown.value === true}
            aria-describedby={`${id}-name ${id}-status`}
            onChange={(e) => {
              const value = e.currentTarget.checked;
              remote.setProperty(state.id, powerControl.prop.key, value, describeSet(powerControl, value));
            }}
          />
          <CommandStatus
            id={`${id}-status`}
            outcome={live.outcomes.get(powerControl.prop.key)}
            waiting={shown.source === 'desired'}
          />
        </div>
      )}
      {reading && (
        <p class="tile-reading" data-prop={reading.key}>
          {propertyControl(reading).label}:{' '}
          <strong>{formatValue(propertyControl(reading), live.shown(reading.key).value)}</strong>
        </p>
      )}
    </li>
  );
}
