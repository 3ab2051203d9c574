import { useId, useState } from 'preact/hooks';
import { checkPropertyValue } from '../../../src/registry/spec/values.js';
import { isRecord } from '../api/decode.js';
import type { DeviceLive } from '../live/device-live.js';
import {
  type ActionControl,
  formatValue,
  numberFromText,
  type PropertyControl,
  propertyControl,
  rgbHex,
  snap,
} from '../spec/controls.js';
import { CommandStatus } from './status.js';

/** A starting value for a parameter: the property's current value when known, else the first valid one. */
function initialValue(control: PropertyControl, live: DeviceLive): unknown {
  const known = live.shown(control.prop.key).value;
  if (known !== undefined && checkPropertyValue(control.prop, known) === undefined) return known;
  const { prop } = control;
  if (prop.kind === 'bool') return false;
  if (prop.kind === 'string') return '';
  if (prop.enumEntries?.[0]) return prop.enumEntries[0].value;
  return snap(control, control.min);
}

/** `out` arguments (`[{piid, value}]`) as "Filter life level: 100 %". */
export function describeOutputs(action: ActionControl, data: unknown): string {
  const out = isRecord(data) && Array.isArray(data['out']) ? data['out'] : [];
  const parts = out.filter(isRecord).flatMap((arg) => {
    const prop = action.action.out.find((p) => p.piid === arg['piid']);
    if (prop === undefined) return [];
    const control = propertyControl(prop, true);
    return [`${control.label}: ${formatValue(control, arg['value'])}`];
  });
  return parts.length > 0 ? `Done. ${parts.join(', ')}` : 'Done';
}

function ParamField({
  control,
  value,
  onValue,
}: {
  control: PropertyControl;
  value: unknown;
  onValue: (value: unknown) => void;
}) {
  const id = useId();
  const { prop } = control;
  switch (control.kind) {
    case 'switch':
    case 'buttons':
      return (
        <div class="row">
          <label for={id}>{control.label}</label>
          <input
            id={id}
            type="checkbox"
            role="switch"
            class="switch"
            checked={value === true}
            aria-checked={value === true}
            onChange={(e) => onValue(e.currentTarget.checked)}
          />
        </div>
      );
    case 'select':
      return (
        <div class="row">
          <label for={id}>{control.label}</label>
          <select id={id} value={String(value)} onChange={(e) => onValue(Number(e.currentTarget.value))}>
            {(prop.enumEntries ?? []).map((entry) => (
              <option key={entry.value} value={String(entry.value)}>
                {entry.description}
              </option>
            ))}
          </select>
        </div>
      );
    case 'color':
      return (
        <div class="row">
          <label for={id}>{control.label}</label>
          <input
            id={id}
            type="color"
            value={rgbHex(Number(value))}
            onChange={(e) => onValue(Number.parseInt(e.currentTarget.value.slice(1), 16))}
          />
        </div>
      );
    case 'slider':
      return (
        <div class="row slider-row">
          <label for={id}>{control.label}</label>
          <output for={id} class="value" aria-hidden="true">
            {formatValue(control, value)}
          </output>
          <input
            id={id}
            type="range"
            min={control.min}
            max={control.max}
            step={control.step > 0 ? control.step : 'any'}
            value={Number(value)}
            aria-valuetext={formatValue(control, value)}
            onInput={(e) => onValue(snap(control, Number(e.currentTarget.value)))}
          />
        </div>
      );
    case 'text':
      return (
        <div class="row">
          <label for={id}>{control.label}</label>
          <input
            id={id}
            type="text"
            maxLength={prop.maxLength}
            value={String(value ?? '')}
            onInput={(e) => onValue(e.currentTarget.value)}
          />
        </div>
      );
    default:
      return (
        <div class="row">
          <label for={id}>
            {control.label}
            {control.unit ? ` (${control.unit})` : ''}
          </label>
          <input
            id={id}
            type="number"
            min={control.min}
            max={control.max}
            step={control.step > 0 ? control.step : 'any'}
            value={String(value ?? '')}
            onInput={(e) => onValue(numberFromText(control, e.currentTarget.value))}
          />
        </div>
      );
  }
}

/** An action: a button, or a small form when it takes `in` parameters. One result per run. */
export function ActionForm({
  action,
  live,
  onRun,
}: {
  action: ActionControl;
  live: DeviceLive;
  onRun: (inputs: unknown[], describe: string) => void;
}) {
  const id = useId();
  const [values, setValues] = useState<unknown[]>(() => action.inputs.map((c) => initialValue(c, live)));
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const outcome = live.outcomes.get(action.action.key);
  const running = outcome?.status === 'pending';
  const submit = (e: Event) => {
    e.preventDefault();
    for (const [i, control] of action.inputs.entries()) {
      const p = checkPropertyValue(control.prop, values[i]);
      if (p !== undefined) {
        setProblem(p.message);
        return;
      }
    }
    setProblem(undefined);
    const args = action.inputs.map((c, i) => `${c.label} ${formatValue(c, values[i])}`).join(', ');
    onRun(
      action.inputs.map((c, i) => ({ piid: c.prop.piid, value: values[i] })),
      args ? `${action.label} (${args})` : action.label,
    );
  };
  return (
    <form
      class="action"
      noValidate
      data-action={action.action.key}
      onSubmit={submit}
      aria-labelledby={action.inputs.length > 0 ? `${id}-legend` : undefined}
    >
      {action.inputs.length > 0 && (
        <fieldset>
          <legend id={`${id}-legend`}>{action.label}</legend>
          {action.inputs.map((control, i) => (
            <ParamField
              key={control.prop.key}
              control={control}
              value={values[i]}
              onValue={(v) => setValues((old) => old.map((x, j) => (j === i ? v : x)))}
            />
          ))}
        </fieldset>
      )}
      <button type="submit" disabled={running} aria-describedby={`${id}-status`}>
        {action.inputs.length > 0 ? `Run ${action.label.toLowerCase()}` : action.label}
      </button>
      <CommandStatus id={`${id}-status`} outcome={outcome} local={problem} />
    </form>
  );
}
