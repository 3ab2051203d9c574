import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type Readable, Transform } from 'node:stream';

/** Tickets live at most this long, and at most this many at once (one per running update case). */
const TICKET_TTL_MS = 15 * 60_000;
const MAX_TICKETS = 200;

interface Ticket {
  readonly packageId: string;
  readonly path: string;
  readonly size: number;
  readonly expiresAt: number;
}

/**
 * Tampered downloads for the `update.tampered` case: the genuine binary with its middle byte
 * flipped, served under an unguessable one-use ticket. Same size, so only the SHA-256 can tell.
 */
export class TamperedDownloads {
  readonly #tickets = new Map<string, Ticket>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  issue(packageId: string, path: string, size: number): string {
    this.#sweep();
    if (this.#tickets.size >= MAX_TICKETS) {
      const oldest = this.#tickets.keys().next().value;
      if (oldest !== undefined) this.#tickets.delete(oldest);
    }
    const ticket = randomBytes(24).toString('base64url');
    this.#tickets.set(ticket, { packageId, path, size, expiresAt: this.#now() + TICKET_TTL_MS });
    return ticket;
  }

  revoke(ticket: string): void {
    this.#tickets.delete(ticket);
  }

  /** The tampered bytes of a live ticket, or undefined. */
  open(ticket: string): { size: number; body: Readable } | undefined {
    this.#sweep();
    const t = this.#tickets.get(ticket);
    if (t === undefined) return undefined;
    const flipAt = t.size >> 1;
    let offset = 0;
    const flip = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (flipAt >= offset && flipAt < offset + chunk.length) {
          const copy = Buffer.from(chunk);
          copy[flipAt - offset] = (copy[flipAt - offset] ?? 0) ^ 0xff;
          offset += chunk.length;
          done(null, copy);
          return;
        }
        offset += chunk.length;
        done(null, chunk);
      },
    });
    return { size: t.size, body: createReadStream(t.path).pipe(flip) };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, t] of this.#tickets) if (t.expiresAt < now) this.#tickets.delete(id);
  }
}
