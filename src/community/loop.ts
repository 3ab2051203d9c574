import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import { actorOf, type CommunityContext, newId, requireModerator, requireReadable } from './context.js';
import { deliver, type Notice } from './inbox.js';
import { allVoters, statusNotices } from './moderation.js';
import { RELEASES_CHANNEL, reachedNotice } from './reach.js';
import * as events from './store-events.js';
import * as loop from './store-loop.js';
import * as posts from './store-posts.js';
import { linkView, type ReleaseLinkView } from './views.js';

/** Posts one release may address. */
export const MAX_POSTS_PER_LINK = 100;

export interface ReleaseRef {
  readonly releaseId: string;
  readonly modelId: string;
  /** The firmware revision devices report once they run it (device-information.firmware-revision). */
  readonly version: string;
}

/**
 * Closing the loop: a partner links posts to a firmware release; when the release enters beta the
 * voters who own the model are invited to test it; when it reaches stable the posts ship, and each
 * voter hears when it reaches their own device. The firmware domain reports the stages; the
 * registry reports which firmware each device runs.
 */
export class ReleaseLoop {
  readonly #c: CommunityContext;

  constructor(context: CommunityContext) {
    this.#c = context;
  }

  /**
   * "Release R addresses #12, #40": posts of the release's model, by its partner (or the operator).
   * The release is a firmware package the caller manages (another partner's or an unknown one is
   * NOT_FOUND); `modelId` and `version`, when given, must be the package's. Linked to a release
   * that is on beta or stable already, the posts move on at once.
   */
  async link(
    caller: Identity,
    releaseId: string,
    input: { postIds: readonly string[]; modelId?: string | undefined; version?: string | undefined },
  ): Promise<ReleaseLinkView[]> {
    const c = this.#c;
    if (caller.kind === 'user') {
      throw new HubError('FORBIDDEN', "only the model's partner or the operator links posts to a release");
    }
    const facts = await c.releases.release(caller, releaseId);
    for (const field of ['modelId', 'version'] as const) {
      const given = input[field];
      if (given !== undefined && given !== facts[field]) {
        throw new HubError('VALIDATION_FAILED', `release ${releaseId} has ${field} ${facts[field]}`, {
          errors: [
            { path: `/${field}`, message: `must be the release's ${field} (${facts[field]}) or left out` },
          ],
        });
      }
    }
    if (facts.state === 'withdrawn') {
      throw new HubError('INVALID_STATE', `release ${releaseId} was withdrawn`);
    }
    const release: ReleaseRef = { releaseId, modelId: facts.modelId, version: facts.version };
    const postIds = input.postIds;
    const unique = [...new Set(postIds)];
    if (unique.length === 0 || unique.length > MAX_POSTS_PER_LINK) {
      throw new HubError('VALIDATION_FAILED', `a release addresses 1 to ${MAX_POSTS_PER_LINK} posts`, {
        errors: [{ path: '/postIds', message: `must hold 1 to ${MAX_POSTS_PER_LINK} post ids` }],
      });
    }
    const found: posts.PostRow[] = [];
    for (const [i, id] of unique.entries()) {
      const post = requireModerator(caller, await posts.postRow(c.store, id), id);
      if (post.model_id !== release.modelId) {
        throw new HubError(
          'VALIDATION_FAILED',
          `post ${id} is about ${post.model_id}, not ${release.modelId}`,
          {
            errors: [{ path: `/postIds/${i}`, message: `must be a post about ${release.modelId}` }],
          },
        );
      }
      if (post.status === 'duplicate' || post.status === 'declined') {
        throw new HubError('INVALID_STATE', `post ${id} is ${post.status}: link the post it was merged into`);
      }
      found.push(post);
    }
    const at = c.now();
    const planned: Array<{ post: posts.PostRow; eventId: string; voters: string[] }> = [];
    const links = await c.store.transaction(
      async (tx) => {
        const existing = await loop.linksOfRelease(tx, release.releaseId);
        const stage = existing[0]?.stage ?? 'linked';
        if (existing.some((l) => l.model_id !== release.modelId || l.version !== release.version)) {
          throw new HubError(
            'INVALID_STATE',
            `release ${release.releaseId} was linked with another model or version`,
          );
        }
        for (const post of found) {
          const row = {
            post_id: post.id,
            release_id: release.releaseId,
            model_id: release.modelId,
            version: release.version,
            stage,
            linked_at: at,
            linked_by: actorOf(caller),
          };
          if (!(await loop.insertLink(tx, row))) continue;
          await events.insertPostEvent(tx, {
            id: newId('pev'),
            post_id: post.id,
            model_id: post.model_id,
            kind: 'release-linked',
            from_status: null,
            to_status: null,
            note: `${release.releaseId} (${release.version})`,
            actor: actorOf(caller),
            at,
          });
          // An answer is planned: the open post's voters hear that a release will address it.
          if (post.status === 'open') {
            const eventId = newId('pev');
            await posts.setStatus(tx, post.id, 'planned', null, at);
            await events.insertPostEvent(tx, {
              id: eventId,
              post_id: post.id,
              model_id: post.model_id,
              kind: 'status',
              from_status: 'open',
              to_status: 'planned',
              note: `addressed by ${release.releaseId}`,
              actor: actorOf(caller),
              at,
            });
            planned.push({ post, eventId, voters: await allVoters(tx, post.id) });
          }
        }
        await tx.notify(RELEASES_CHANNEL, release.releaseId);
        return loop.linksOfRelease(tx, release.releaseId);
      },
      { durable: true },
    );
    for (const p of planned) {
      c.metrics.statusChanges.inc({ status: 'planned' });
      await deliver(
        c,
        statusNotices(p.post, p.voters, 'planned', p.eventId, null, { releaseId: release.releaseId }),
      );
    }
    if (facts.channel === 'none') return links.map(linkView);
    // Already released: the new posts catch up with the release (once-only notices, as always).
    if (facts.channel === 'beta') await this.releaseInBeta(releaseId);
    else await this.releaseOnStable(releaseId);
    return (await loop.linksOfRelease(c.store, releaseId)).map(linkView);
  }

  /**
   * Catches up with releases that moved on while nobody listened (the hub stopped between storing a
   * release's channel and announcing it): every linked release whose stage lags behind its channel
   * is advanced now. Notices stay once-only, so running it again changes nothing.
   */
  async catchUp(): Promise<number> {
    const c = this.#c;
    const pending = await loop.pendingReleases(c.store, 1000);
    if (pending.length === 0) return 0;
    const facts = await c.releases.releases(pending.map((p) => p.release_id));
    let advanced = 0;
    for (const p of pending) {
      const channel = facts.get(p.release_id)?.channel;
      if (channel === 'beta' && p.stage === 'linked') {
        await this.releaseInBeta(p.release_id);
        advanced++;
      } else if (channel === 'stable') {
        if (p.stage === 'linked') await this.releaseInBeta(p.release_id);
        await this.releaseOnStable(p.release_id);
        advanced++;
      }
    }
    if (advanced > 0) c.log.info({ advanced }, 'linked releases caught up with their channel');
    return advanced;
  }

  /** A page of the post's release links, for whoever may read the post. */
  async linksOfPost(caller: Identity, postId: string, page: PageRequest): Promise<Page<ReleaseLinkView>> {
    const c = this.#c;
    requireReadable(caller, await posts.postRow(c.store, postId), postId);
    const rows = await loop.linksOfPost(c.store, postId, page);
    return pageOf(rows, page.limit, (r) => [r.linked_at, r.release_id], linkView);
  }

  /**
   * The release entered beta: its posts move to in-beta (voters told), and every voter who owns or
   * is shared a device of the model now is invited to the beta channel, once per release.
   */
  async releaseInBeta(releaseId: string): Promise<{ invited: number }> {
    const moved = await this.#advance(releaseId, 'beta', 'in-beta');
    if (moved === undefined) return { invited: 0 };
    const c = this.#c;
    const invitations: Notice[] = [];
    const seen = new Set<string>();
    for (const { post, voters } of moved.posts) {
      for (const userId of voters) {
        if (seen.has(userId)) continue;
        seen.add(userId);
        const devices = await c.registry.devicesOf(userId, post.model_id);
        if (devices.length === 0) continue;
        // Only an owner may opt a device into beta; a shared user is invited to ask the owner.
        const owned = devices.filter((d) => d.role === 'owner').map((d) => d.deviceId);
        invitations.push({
          userId,
          dedupKey: `beta:${releaseId}`,
          kind: 'beta-invitation',
          postId: post.id,
          body: {
            title: `Try the fix in beta: ${post.model_id} ${moved.version}`,
            message: `A beta release addresses “${post.title}”, which you voted for. Join the beta channel to get it first, and tell the maker how it works.`,
            data: {
              modelId: post.model_id,
              releaseId,
              version: moved.version,
              postIds: moved.posts.map((p) => p.post.id),
              deviceIds: owned,
              optIn: owned.map((id) => ({ deviceId: id, method: 'PUT', path: `/v1/me/devices/${id}/beta` })),
            },
          },
        });
      }
    }
    return { invited: await deliver(c, invitations) };
  }

  /**
   * The release reached stable: its posts ship (voters told); each voter hears again when it
   * reaches their device, and a voter whose device runs it already (a beta tester) hears now.
   */
  async releaseOnStable(releaseId: string): Promise<void> {
    const moved = await this.#advance(releaseId, 'stable', 'shipped');
    if (moved === undefined) return;
    const c = this.#c;
    const notices: Notice[] = [];
    for (const { post, voters } of moved.posts) {
      for (const userId of voters) {
        const devices = await c.registry.devicesOf(userId, post.model_id);
        const running = devices.find((d) => d.firmwareVersion === moved.version);
        if (running === undefined) continue;
        notices.push(reachedNotice(userId, post, releaseId, moved.version, running.deviceId));
      }
    }
    await deliver(c, notices);
  }

  async #advance(
    releaseId: string,
    stage: 'beta' | 'stable',
    status: 'in-beta' | 'shipped',
  ): Promise<{ version: string; posts: Array<{ post: posts.PostRow; voters: string[] }> } | undefined> {
    const c = this.#c;
    const at = c.now();
    const changes: Array<{ post: posts.PostRow; eventId: string; voters: string[] }> = [];
    const result = await c.store.transaction(
      async (tx) => {
        const links = await loop.linksOfRelease(tx, releaseId);
        const first = links[0];
        if (first === undefined) return undefined;
        await loop.setStage(tx, releaseId, stage);
        const touched: Array<{ post: posts.PostRow; voters: string[] }> = [];
        for (const link of links) {
          const post = await posts.lockPost(tx, link.post_id);
          if (post === undefined) continue;
          const voters = await allVoters(tx, post.id);
          touched.push({ post, voters });
          const terminal = ['shipped', 'declined', 'duplicate'].includes(post.status);
          if (terminal || post.status === status) continue;
          const eventId = newId('pev');
          await posts.setStatus(tx, post.id, status, null, at);
          await events.insertPostEvent(tx, {
            id: eventId,
            post_id: post.id,
            model_id: post.model_id,
            kind: 'status',
            from_status: post.status,
            to_status: status,
            note: `${releaseId} (${link.version}) is on ${stage}`,
            actor: 'hub',
            at,
          });
          changes.push({ post, eventId, voters });
        }
        await tx.notify(RELEASES_CHANNEL, releaseId);
        return { version: first.version, posts: touched };
      },
      { durable: true },
    );
    for (const ch of changes) {
      c.metrics.statusChanges.inc({ status });
      await deliver(c, statusNotices(ch.post, ch.voters, status, ch.eventId, null, { releaseId }));
    }
    if (result !== undefined)
      c.log.info({ releaseId, stage, posts: result.posts.length }, 'linked release advanced');
    return result;
  }
}
