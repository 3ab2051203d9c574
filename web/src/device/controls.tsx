import { useId, useState } from 'preact/hooks';
import { checkPropertyValue } from '../../../src/registry/spec/values.js';
import type { DeviceLive } from '../live/device-live.js';
import { formatValue, numberFromText, type PropertyControl, rgbHex, snap } from '../spec/controls.js';
import { CommandStatus } from './status.js';

export interface PropertyRowProps {
  readonly control: PropertyControl;
  readonly live: DeviceLive;
  /** Sends one `set` of this property. */
  readonly onSet: (value: unknown) => void;
  /** Withdraws the value waiting for the offline device. */
  readonly onCancelDesired?: () => void;
}

/** Text typed into a number field -> a number, or a message saying why it is not one the spec allows. */
export function parseNumber(
  control: PropertyControl,
  text: string,
): { value: number | string } | { problem: string } {
  const value = numberFromText(control, text);
  if (typeof value === 'number' && !Number.isFinite(value))
    return { problem: `${control.label} needs a number` };
  const problem = checkPropertyValue(control.prop, value);
  return problem === undefined ? { value } : { problem: problem.message };
}

/** One property of a device card: the control the spec calls for, its value and its command status. */
export function PropertyRow({ control, live, onSet, onCancelDesired }: PropertyRowProps) {
  const id = useId();
  const statusId = `${id}-status`;
  const { prop } = control;
  const shown = live.shown(prop.key);
  const outcome = live.outcomes.get(prop.key);
  const [local, setLocal] = useState<string | undefined>(undefined);
  const set = (value: unknown) => {
    setLocal(undefined);
    onSet(value);
  };
  const common = { id, 'aria-describedby': statusId };
  const pending = shown.source === 'pending';

  let body: preact.JSX.Element;
  switch (control.kind) {
    case 'switch':
      body = (
        <div class="row">
          <label for={id}>{control.label}</label>
          <input
            {...common}
            type="checkbox"
            role="switch"
            class="switch"
            checked={shown.value === true}
            aria-checked={shown.value === true}
            onChange={(e) => set(e.currentTarget.checked)}
          />
        </div>
      );
      break;
    case 'select':
      body = (
        <div class="row">
          <label for={id}>{control.label}</label>
          <select
            {...common}
            value={shown.value === undefined ? '' : String(shown.value)}
            onChange={(e) => set(Number(e.currentTarget.value))}
          >
            {shown.value === undefined && (
              <option value="" disabled>
                Choose…
              </option>
            )}
            {(prop.enumEntries ?? []).map((entry) => (
              <option key={entry.value} value={String(entry.value)}>
                {entry.description}
              </option>
            ))}
          </select>
        </div>
      );
      break;
    case 'buttons': {
      const choices =
        prop.kind === 'bool'
          ? [
              { value: true as unknown, text: 'On' },
              { value: false as unknown, text: 'Off' },
            ]
          : (prop.enumEntries ?? []).map((e) => ({ value: e.value as unknown, text: e.description }));
      body = (
        <fieldset class="row choice-row" aria-describedby={statusId}>
          <legend class="label">{control.label}</legend>
          <div class="button-group">
            {choices.map((c) => (
              <button
                key={String(c.value)}
                type="button"
                onClick={() => set(c.value)}
                aria-pressed={pending ? Object.is(shown.value, c.value) : undefined}
              >
                {c.text}
              </button>
            ))}
          </div>
        </fieldset>
      );
      break;
    }
    case 'color':
      body = (
        <div class="row">
          <label for={id}>{control.label}</label>
          <input
            {...common}
            type="color"
            value={typeof shown.value === 'number' ? rgbHex(shown.value) : '#000000'}
            onChange={(e) => set(Number.parseInt(e.currentTarget.value.slice(1), 16))}
          />
        </div>
      );
      break;
    case 'slider':
      body = <Slider control={control} value={shown.value} id={id} statusId={statusId} onCommit={set} />;
      break;
    case 'number':
    case 'text':
      body = (
        <EntryField
          control={control}
          value={shown.value}
          id={id}
          statusId={statusId}
          onCommit={set}
          onProblem={setLocal}
        />
      );
      break;
    case 'value':
      body = (
        <div class="row">
          <span class="label" id={`${id}-label`}>
            {control.label}
          </span>
          <span class="value" data-value>
            {formatValue(control, shown.value)}
          </span>
        </div>
      );
      break;
  }

  return (
    <div
      class={`prop kind-${control.kind}${pending ? ' is-pending' : ''}`}
      data-prop={prop.key}
      data-kind={control.kind}
      data-source={shown.source}
    >
      {body}
      {control.kind !== 'value' && (
        <CommandStatus
          id={statusId}
          outcome={outcome}
          waiting={shown.source === 'desired'}
          local={local}
          onCancel={shown.source === 'desired' ? onCancelDesired : undefined}
        />
      )}
    </div>
  );
}

/**
 * A slider follows the finger locally and commits ONE set on release (the `change` event, which
 * the keyboard fires once per key press): no command stream while dragging.
 */
function Slider(props: {
  control: PropertyControl;
  value: unknown;
  id: string;
  statusId: string;
  onCommit: (v: number) => void;
}) {
  const { control, value, id, statusId, onCommit } = props;
  const [dragging, setDragging] = useState<number | undefined>(undefined);
  const current = dragging ?? (typeof value === 'number' ? value : undefined);
  return (
    <div class="row slider-row">
      <label for={id}>{control.label}</label>
      <output for={id} class="value" aria-hidden="true">
        {formatValue(control, current)}
      </output>
      <input
        id={id}
        type="range"
        min={control.min}
        max={control.max}
        step={control.step > 0 ? control.step : 'any'}
        value={current ?? control.min}
        aria-valuetext={formatValue(control, current)}
        aria-describedby={statusId}
        onInput={(e) => setDragging(Number(e.currentTarget.value))}
        onChange={(e) => {
          const next = snap(control, Number(e.currentTarget.value));
          setDragging(undefined);
          if (!Object.is(next, value)) onCommit(next);
        }}
      />
    </div>
  );
}

/** A number or text typed in, checked against the spec, sent on Enter or "Set". */
function EntryField(props: {
  control: PropertyControl;
  value: unknown;
  id: string;
  statusId: string;
  onCommit: (v: number | string) => void;
  onProblem: (problem: string | undefined) => void;
}) {
  const { control, value, id, statusId, onCommit, onProblem } = props;
  const [text, setText] = useState<string | undefined>(undefined);
  const numeric = control.kind === 'number';
  const shownText = value === undefined || value === null ? '' : String(value);
  const commit = () => {
    const raw = text ?? shownText;
    if (numeric) {
      const parsed = parseNumber(control, raw);
      if ('problem' in parsed) {
        onProblem(parsed.problem);
        return;
      }
      onCommit(parsed.value);
    } else {
      const problem = checkPropertyValue(control.prop, raw);
      if (problem) {
        onProblem(problem.message);
        return;
      }
      onCommit(raw);
    }
    setText(undefined);
  };
  const onInput = (e: { currentTarget: HTMLInputElement }) => {
    setText(e.currentTarget.value);
    onProblem(undefined);
  };
  const hint = numeric
    ? `${formatValue(control, control.min)} to ${formatValue(control, control.max)}${control.step > 0 ? `, step ${control.step}` : ''}`
    : control.prop.maxLength
      ? `Up to ${control.prop.maxLength} characters`
      : '';
  return (
    <form
      class="row entry-row"
      // The spec's own check (below) says what is wrong in its words; the browser's would block silently.
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        commit();
      }}
    >
      <label for={id}>
        {control.label}
        {control.unit && numeric ? ` (${control.unit})` : ''}
      </label>
      <span class="entry">
        {numeric ? (
          <input
            id={id}
            type="number"
            inputMode={control.prop.kind === 'float' ? 'decimal' : 'numeric'}
            min={control.min}
            max={control.max}
            step={control.step > 0 ? control.step : 'any'}
            value={text ?? shownText}
            placeholder={value === undefined ? String(control.min) : undefined}
            aria-describedby={`${statusId} ${id}-hint`}
            onInput={onInput}
          />
        ) : (
          <input
            id={id}
            type="text"
            maxLength={control.prop.maxLength}
            value={text ?? shownText}
            aria-describedby={`${statusId} ${id}-hint`}
            onInput={onInput}
          />
        )}
        <button type="submit">Set</button>
      </span>
      <span class="hint" id={`${id}-hint`}>
        {hint}
      </span>
    </form>
  );
}
