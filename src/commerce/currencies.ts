import currencyData from './currencies.json' with { type: 'json' };

/**
 * Currencies a price, cost or payment may be in: the circulating codes of ISO 4217 List One, with
 * their minor-unit digits (USD 2: amounts are cents; JPY 0: yen; KWD 3: fils). The list is data
 * (`currencies.json`), so following an ISO amendment is a reviewed data change.
 */
const MINOR_UNITS: ReadonlyMap<string, number> = new Map(Object.entries(currencyData.minorUnits));

for (const [code, digits] of MINOR_UNITS) {
  // A broken data file fails at boot, not at the first sale.
  if (!/^[A-Z]{3}$/.test(code) || !Number.isInteger(digits) || digits < 0 || digits > 4) {
    throw new Error(`currencies.json: bad entry ${code}: ${digits}`);
  }
}

export const CURRENCY_PATTERN = '^[A-Z]{3}$';

export function isCurrency(code: string): boolean {
  return MINOR_UNITS.has(code);
}

/** Minor-unit digits of a known currency (2 for EUR); undefined for an unknown code. */
export function minorUnitsOf(code: string): number | undefined {
  return MINOR_UNITS.get(code);
}

export function currencyCodes(): string[] {
  return [...MINOR_UNITS.keys()];
}
