/**
 * What a device's report and event sequence numbers are remembered by, for deduplication: the
 * highest `seq` stored (the high-water mark), which of the WINDOW numbers just below it were
 * stored (a bit mask), and the last few stored below that window. A device counts up (docs/protocol.md,
 * "seq"), so this answers a redelivery exactly whatever the order within the window, and costs
 * one column update per device per batch instead of one row per message.
 *
 * A `seq` below the window and not among the remembered stragglers is stored: the same answer as
 * when the hub kept a row per message for a day and that row was gone.
 */
export interface SeqMarks {
  /** Highest seq stored; undefined when the device never stored one. */
  readonly high: number | undefined;
  /** Bit i set: seq `high - i` was stored (bit 0 is `high` itself). */
  readonly mask: bigint;
  /** Seqs stored below the window, oldest first, at most STRAGGLERS. */
  readonly below: readonly number[];
}

/** How many numbers below the high-water mark are remembered one by one (128 bytes per device). */
export const WINDOW = 1024;
/** How many stored seqs below the window are remembered (a device whose clock went back). */
export const STRAGGLERS = 32;

const FULL = (1n << BigInt(WINDOW)) - 1n;

export const NO_MARKS: SeqMarks = { high: undefined, mask: 0n, below: [] };

/** The marks after storing `seq`, or undefined when `seq` is a redelivery of a stored message. */
export function admitSeq(marks: SeqMarks, seq: number): SeqMarks | undefined {
  const { high, mask, below } = marks;
  if (high === undefined) return { high: seq, mask: 1n, below };
  if (seq > high) {
    const shift = seq - high;
    return { high: seq, mask: shift >= WINDOW ? 1n : ((mask << BigInt(shift)) | 1n) & FULL, below };
  }
  const distance = high - seq;
  if (distance < WINDOW) {
    const bit = 1n << BigInt(distance);
    return (mask & bit) === 0n ? { high, mask: mask | bit, below } : undefined;
  }
  if (below.includes(seq)) return undefined;
  return { high, mask, below: [...below.slice(below.length >= STRAGGLERS ? 1 : 0), seq] };
}

/**
 * The column text of the marks (high is a column of its own): the mask in hexadecimal, then the
 * stragglers, `mask[;s1,s2,...]`. A mask of every bit is what migration 0380 writes for devices
 * whose per-message rows it replaced.
 */
export function encodeRecent(marks: SeqMarks): string {
  const mask = marks.mask.toString(16);
  return marks.below.length === 0 ? mask : `${mask};${marks.below.join(',')}`;
}

export function decodeMarks(high: number | null, recent: string | null): SeqMarks {
  if (high === null) return NO_MARKS;
  if (recent === null || recent === '') return { high, mask: 1n, below: [] };
  const [mask = '', stragglers] = recent.split(';');
  return {
    high,
    mask: /^[0-9a-f]+$/.test(mask) ? BigInt(`0x${mask}`) & FULL : 1n,
    below: stragglers
      ? stragglers.split(',').map(Number).filter(Number.isSafeInteger).slice(-STRAGGLERS)
      : [],
  };
}
