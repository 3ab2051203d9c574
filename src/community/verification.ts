import type { CommunityContext } from './context.js';
import { verificationOf } from './posts.js';
import * as votes from './store-votes.js';

/** Users waiting for a re-check at once; past this, the oldest waiting are re-checked on their next vote. */
export const MAX_PENDING_CHECKS = 100_000;

/**
 * Keeps each vote's `verified` in step with the registry: when a user's access changes (claim,
 * share, revoke, removal, home membership), their votes are re-checked, one user at a time, in the
 * background. A voter who gave the device up keeps the vote; it stops counting as verified.
 */
export class VoteVerifier {
  readonly #c: CommunityContext;
  readonly #pending = new Set<string>();
  #running: Promise<void> | undefined;

  constructor(context: CommunityContext) {
    this.#c = context;
  }

  /** Queues the users for a re-check. */
  accessChanged(userIds: readonly string[]): void {
    for (const id of userIds) {
      if (this.#pending.size >= MAX_PENDING_CHECKS) break;
      this.#pending.add(id);
    }
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves when every queued re-check is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const next = this.#pending.values().next();
      if (next.done) return;
      this.#pending.delete(next.value);
      try {
        await this.recheck(next.value);
      } catch (err) {
        this.#c.log.error({ err, userId: next.value }, 're-checking votes failed');
      }
    }
  }

  /** Re-checks every vote of the user against the registry; returns how many changed. */
  async recheck(userId: string): Promise<number> {
    const c = this.#c;
    let changed = 0;
    for (const modelId of await votes.votedModels(c.store, userId)) {
      const owned = await c.registry.devicesOf(userId, modelId);
      changed += await votes.reverify(c.store, userId, modelId, verificationOf(owned));
    }
    if (changed > 0) c.log.info({ userId, changed }, 'votes re-verified');
    return changed;
  }
}
