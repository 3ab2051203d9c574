/**
 * Withholds CONNACK from chosen client ids for a number of attempts: the certification harness's
 * reconnect test (docs/certification.md), as AWS Device Advisor's "reconnect backoff" test does.
 * A held attempt is closed without any CONNACK. Node-local; bounded by the runs in progress (one
 * entry per device under test).
 */
export class ConnectGate {
  readonly #held = new Map<string, { remaining: number; attempt: (at: number, held: boolean) => void }>();

  /** The next `count` CONNECTs of `clientId` are closed without CONNACK; every attempt is reported. */
  hold(clientId: string, count: number, attempt: (at: number, held: boolean) => void): void {
    this.#held.set(clientId, { remaining: count, attempt });
  }

  release(clientId: string): void {
    this.#held.delete(clientId);
  }

  /** Called for every CONNECT before authentication: false means close without CONNACK. */
  admit(clientId: string, now: number): boolean {
    const entry = this.#held.get(clientId);
    if (entry === undefined) return true;
    const held = entry.remaining > 0;
    if (held) entry.remaining--;
    else this.#held.delete(clientId);
    entry.attempt(now, held);
    return !held;
  }

  get size(): number {
    return this.#held.size;
  }
}
