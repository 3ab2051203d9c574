/**
 * Bad-firmware behaviours, each switched on by one flag. What each one looks like from the hub is
 * listed in docs/simulator.md.
 */
export interface Faults {
  /** Every property report carries one value outside its range (or enum). Hub: reason `range`/`enum`. */
  readonly outOfRange?: boolean | undefined;
  /** Every property report carries one value of the wrong JSON type. Hub: reason `format`. */
  readonly wrongFormat?: boolean | undefined;
  /** Delay every reply by this many milliseconds. */
  readonly slowReplies?: number | undefined;
  /** Never answer a command. */
  readonly noReplies?: boolean | undefined;
  /** Skip every report except the full one after connecting: a `set` is never reflected. */
  readonly dropReports?: boolean | undefined;
  /** Drop the connection (no DISCONNECT) this many milliseconds after each connect, then reconnect. */
  readonly flapping?: number | undefined;
  /** Every property report is not JSON. Hub: reason `json`. */
  readonly malformedJson?: boolean | undefined;
  /** Answer every command twice. */
  readonly duplicateReplies?: boolean | undefined;
  /** Refuse bad commands with INTERNAL instead of the documented code (VALUE_INVALID, ...). */
  readonly wrongCodes?: boolean | undefined;
  /** Apply `set` values without checking them against the spec (out of range, wrong type, ...). */
  readonly acceptInvalid?: boolean | undefined;
  /** Reconnect after the base delay every time: no growth, no jitter. */
  readonly noBackoff?: boolean | undefined;
  /** Reconnect after exactly base * 2^n: exponential, but every device at the same moments. */
  readonly noJitter?: boolean | undefined;
}

export type FaultName = keyof Faults;

const BOOLEAN_FAULTS = [
  'outOfRange',
  'wrongFormat',
  'noReplies',
  'dropReports',
  'malformedJson',
  'duplicateReplies',
  'wrongCodes',
  'acceptInvalid',
  'noBackoff',
  'noJitter',
] as const;
const DURATION_FAULTS = ['slowReplies', 'flapping'] as const;

export const FAULT_NAMES: readonly FaultName[] = [...BOOLEAN_FAULTS, ...DURATION_FAULTS];

/** `slowReplies=500`, `slow-replies=500`, `noReplies`: one fault as the CLI takes it. Throws with a message. */
export function parseFault(text: string): Faults {
  const at = text.indexOf('=');
  const rawName = at < 0 ? text : text.slice(0, at);
  const value = at < 0 ? undefined : text.slice(at + 1);
  const name = FAULT_NAMES.find((n) => n.toLowerCase() === rawName.replaceAll('-', '').toLowerCase());
  if (name === undefined) {
    throw new Error(`unknown fault '${rawName}' (faults: ${FAULT_NAMES.join(', ')})`);
  }
  if ((DURATION_FAULTS as readonly string[]).includes(name)) {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) {
      throw new Error(`fault ${name} needs a duration in milliseconds, e.g. ${name}=500`);
    }
    return { [name]: Number(value) };
  }
  if (value !== undefined && value !== 'true') {
    throw new Error(`fault ${name} takes no value, got '${value}'`);
  }
  return { [name]: true };
}

/** The names of the faults that are switched on, for logs and summaries. */
export function activeFaults(faults: Faults): string[] {
  return FAULT_NAMES.filter((name) => {
    const value = faults[name];
    return value !== undefined && value !== false && value !== 0;
  }).map((name) => (typeof faults[name] === 'number' ? `${name}=${faults[name]}` : name));
}
