import type { ComponentChildren } from 'preact';
import { useId, useMemo } from 'preact/hooks';
import { useApp } from '../app.js';
import { FirmwareConsoleApi } from './firmware-api.js';

export function useFirmwareApi(): FirmwareConsoleApi {
  const { consoleApi } = useApp();
  return useMemo(() => new FirmwareConsoleApi(consoleApi.http), [consoleApi]);
}

/** A labelled control that is not a plain text input (select, textarea, number, file, date). */
export function Labelled({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(id, described || undefined)}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A number field kept as text while typed (so "1." is not lost), read with Number() on submit. */
export function NumberField(props: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  hint?: string;
  error?: string | undefined;
  min?: number;
  max?: number;
  step?: number | 'any';
}) {
  return (
    <Labelled label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <input
          id={id}
          type="number"
          inputMode="decimal"
          value={props.value}
          min={props.min}
          max={props.max}
          step={props.step ?? 'any'}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy}
          onInput={(e) => props.onValue(e.currentTarget.value)}
        />
      )}
    </Labelled>
  );
}

export function bytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
