import type { Subscription } from '../store/engine.js';
import type { CommunityContext } from './context.js';
import { deliver, type Notice } from './inbox.js';
import * as loop from './store-loop.js';
import * as posts from './store-posts.js';

/** Notification channel: release links and stages changed (every hub reloads its version cache). */
export const RELEASES_CHANNEL = 'community_releases';
/** Devices whose last handled firmware version is remembered (a report repeating it costs nothing). */
export const MAX_REMEMBERED_DEVICES = 100_000;

/**
 * The last step of the loop (src/community/loop.ts): each voter hears when the linked stable release
 * reaches the device their vote was verified with. Kept per hub: the linked stable versions in memory,
 * reloaded whenever any hub changes a link or a stage, so a device report costs a set lookup.
 */
export class ReleaseReach {
  readonly #c: CommunityContext;
  #stable = new Set<string>();
  readonly #handled = new Map<string, string>();
  #subscription: Subscription | undefined;

  constructor(context: CommunityContext) {
    this.#c = context;
  }

  async start(): Promise<void> {
    this.#subscription = await this.#c.store.listen(RELEASES_CHANNEL, {
      message: () => void this.#reload(),
      reset: () => void this.#reload(),
    });
    await this.#reload();
  }

  async stop(): Promise<void> {
    await this.#subscription?.close();
  }

  async #reload(): Promise<void> {
    try {
      this.#stable = new Set(await loop.stableVersions(this.#c.store));
      this.#handled.clear();
    } catch (err) {
      this.#c.log.error({ err }, 'reloading linked stable versions failed');
    }
  }

  /**
   * A device reported the firmware it runs (the registry's `reported` event). When a linked stable
   * release of that version has reached the device a voter's vote was verified with, the voter is
   * told, once per post. Costs nothing unless the version is a linked stable one.
   */
  firmwareReported(deviceId: string, version: string): void {
    if (!this.#stable.has(version) || this.#handled.get(deviceId) === version) return;
    if (this.#handled.size >= MAX_REMEMBERED_DEVICES) this.#handled.clear();
    this.#handled.set(deviceId, version);
    void this.#reached(deviceId, version).catch((err: unknown) => {
      this.#handled.delete(deviceId);
      this.#c.log.error({ err, deviceId }, 'telling voters their device got the release failed');
    });
  }

  async #reached(deviceId: string, version: string): Promise<number> {
    const c = this.#c;
    const rows = await loop.votersReached(c.store, deviceId, version);
    const notices: Notice[] = [];
    for (const r of rows) {
      const post = await posts.postRow(c.store, r.post_id);
      if (post === undefined) continue;
      notices.push(reachedNotice(r.user_id, post, r.release_id, version, deviceId));
    }
    return deliver(c, notices);
  }
}

/** "The release that answers your vote runs on your device", once per user and post. */
export function reachedNotice(
  userId: string,
  post: posts.PostRow,
  releaseId: string,
  version: string,
  deviceId: string,
): Notice {
  return {
    userId,
    dedupKey: `reached:${post.id}`,
    kind: 'shipped',
    postId: post.id,
    body: {
      title: `Your ${post.model_id} now runs ${version}`,
      message: `Firmware ${version} addresses “${post.title}”, which you voted for, and has reached your device.`,
      data: { modelId: post.model_id, releaseId, version, deviceId },
    },
  };
}
