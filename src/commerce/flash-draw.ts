import { createHash, randomBytes } from 'node:crypto';

/**
 * The draw among registrants, stated so that anyone can recompute it (docs/flash-sales.md, "The
 * draw"): the hub picks a random seed when the sale is created and publishes only its SHA-256; after
 * the sale closes it reveals the seed. Each registration has a public ticket; a ticket's rank is
 * SHA-256("<seed>:<ticket>") in hex, and the draw order is the tickets sorted by rank (then ticket).
 * The first ones win, as many as there are units; the rest join the waitlist in that order.
 */

/** 32 random bytes, hex. */
export function newSeed(): string {
  return randomBytes(32).toString('hex');
}

export function seedHash(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

export function ticketRank(seed: string, ticket: string): string {
  return createHash('sha256').update(`${seed}:${ticket}`).digest('hex');
}

/** Tickets in draw order. Pure: the same seed and tickets give the same order, whatever their input order. */
export function drawOrder(seed: string, tickets: readonly string[]): string[] {
  return tickets
    .map((ticket) => ({ ticket, rank: ticketRank(seed, ticket) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.ticket < b.ticket ? -1 : 1))
    .map((t) => t.ticket);
}
