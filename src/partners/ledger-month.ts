/**
 * Statement months are calendar months in UTC, written `YYYY-MM`. A ledger entry belongs to the
 * month that was open when it was written (its `statement_month`), not to the month of the sale it
 * corrects: a closed month never changes.
 */
export const MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

export function isMonth(text: string): boolean {
  return MONTH.test(text);
}

/** ms of 00:00 UTC on the first day of the month. */
export function monthStart(month: string): number {
  const match = MONTH.exec(month);
  if (!match) throw new RangeError(`not a month: ${month}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, 1);
}

export function nextMonth(month: string): string {
  const start = new Date(monthStart(month));
  return monthOf(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** The month has ended at `now`: its last millisecond is in the past. */
export function monthEnded(month: string, now: number): boolean {
  return now >= monthStart(nextMonth(month));
}
