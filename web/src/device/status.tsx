import type { Outcome } from '../live/device-live.js';

/**
 * The state of the last command of one control: pending, then its one result. Polite live region,
 * so a screen reader hears "Sending…" and then "Done" or the error.
 */
export function CommandStatus({
  id,
  outcome,
  waiting,
  local,
  onCancel,
}: {
  id: string;
  outcome: Outcome | undefined;
  /** The shown value waits for the device to come back online. */
  waiting?: boolean;
  /** A problem found before sending (not on the step grid, out of range). */
  local?: string | undefined;
  /** Withdraws the value waiting for the device (shown while one waits). */
  onCancel?: (() => void) | undefined;
}) {
  let text = '';
  let status = '';
  if (local) {
    text = local;
    status = 'invalid';
  } else if (outcome !== undefined) {
    status = outcome.status;
    text = outcome.code ? `${outcome.code}: ${outcome.message}` : outcome.message;
  } else if (waiting) {
    status = 'queued';
    text = 'Will apply when the device is back online';
  }
  return (
    <p
      class={`command-status ${status}`}
      id={id}
      role="status"
      aria-live="polite"
      data-status={status || undefined}
    >
      {status === 'pending' && <span class="spinner" aria-hidden="true" />}
      {text}
      {status === 'queued' && onCancel && (
        <button type="button" class="secondary small" onClick={onCancel}>
          Cancel
        </button>
      )}
    </p>
  );
}
