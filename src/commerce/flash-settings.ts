/** Hub-wide flash-sale settings (docs/flash-sales.md, "Options"); a sale may set its own windows. */
export interface FlashSettings {
  /** Default time a buyer has to pay a reservation. */
  readonly paymentWindowMs: number;
  /** Default time a waitlist offer is held for its user. */
  readonly offerHoldMs: number;
  /** How often expired reservations are swept, waitlist offers made, due draws run, paid purchases fulfilled. */
  readonly sweepIntervalMs: number;
  /** Purchase attempts per user: a burst, then a rate per second. */
  readonly userBurst: number;
  readonly userRatePerSec: number;
  /** Purchase and registration attempts per client address. */
  readonly addressBurst: number;
  readonly addressRatePerSec: number;
  /** Purchases being processed at once; past it a buyer gets a queue position (202 queued) instead. */
  readonly maxInFlight: number;
}

export const DEFAULT_FLASH: FlashSettings = {
  paymentWindowMs: 15 * 60_000,
  offerHoldMs: 10 * 60_000,
  sweepIntervalMs: 5_000,
  userBurst: 5,
  userRatePerSec: 1,
  // Many buyers share an address behind a carrier NAT: the address limit is the looser one.
  addressBurst: 200,
  addressRatePerSec: 50,
  maxInFlight: 2_000,
};
