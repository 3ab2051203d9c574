import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { createPost, type Maker, makerWithOwners } from './community-support.js';

interface Queued {
  post: { id: string; hidden: unknown };
  reports: { open: number; reasons: Array<{ reason: string }> };
}

describe('community reports and the moderation queue', () => {
  let hub: TestHub;
  let acme: Maker;
  let other: Maker;
  beforeAll(async () => {
    hub = await startHub();
    acme = await makerWithOwners(hub, 3);
    other = await makerWithOwners(hub, 1);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
  });

  async function queue(token: string): Promise<Queued[]> {
    const res = await hub.request('GET', '/v1/community/reports?limit=100', { token });
    expect(res.status, res.text).toBe(200);
    return res.body['items'] as Queued[];
  }

  async function report(token: string, postId: string, reason: string) {
    return hub.request('POST', `/v1/posts/${postId}/reports`, { token, body: { reason } });
  }

  it('queues reported posts for the model’s partner and the operator only; hiding resolves them', async () => {
    const [a, b, c] = acme.owners;
    const postId = String((await createPost(hub, a!.token, acme.modelId))['id']);
    const otherPost = String((await createPost(hub, other.owners[0]!.token, other.modelId))['id']);
    // Any user who can read a post may report it, owner of the model or not; reporting twice keeps one report.
    const stranger = await newUser(hub);
    expect((await report(b!.token, postId, 'Spam link')).body).toEqual({ open: 1 });
    expect((await report(stranger.token, postId, 'Rude')).body).toEqual({ open: 2 });
    expect((await report(stranger.token, postId, 'Rude, and off topic')).body).toEqual({ open: 2 });
    expect((await report(c!.token, otherPost, 'Wrong model')).status).toBe(200);

    const acmeQueue = await queue(acme.partner.key);
    expect(acmeQueue.map((q) => q.post.id)).toEqual([postId]);
    expect(acmeQueue[0]!.reports.open).toBe(2);
    expect(acmeQueue[0]!.reports.reasons.map((r) => r.reason).sort()).toEqual([
      'Rude, and off topic',
      'Spam link',
    ]);
    expect(JSON.stringify(acmeQueue)).not.toContain(stranger.id);
    expect((await queue(other.partner.key)).map((q) => q.post.id)).toEqual([otherPost]);
    const all = (await queue(ADMIN_TOKEN)).map((q) => q.post.id);
    expect(all).toContain(postId);
    expect(all).toContain(otherPost);

    // Deny by default: users do not read the queue, moderators do not report, another partner's
    // post is not found for a partner.
    expect((await hub.request('GET', '/v1/community/reports', { token: a!.token })).status).toBe(403);
    expect((await report(acme.partner.key, postId, 'x')).status).toBe(403);
    const foreign = await hub.request('POST', `/v1/posts/${otherPost}/reports/dismiss`, {
      token: acme.partner.key,
      body: { reason: 'not mine' },
    });
    expect(foreign.status).toBe(404);
    expect((await report(b!.token, postId, '   ')).status).toBe(400);

    const hidden = await hub.request('PUT', `/v1/posts/${postId}/hidden`, {
      token: acme.partner.key,
      body: { reason: 'Spam' },
    });
    expect(hidden.status, hidden.text).toBe(204);
    expect((await queue(acme.partner.key)).map((q) => q.post.id)).toEqual([]);
    // Hidden: other users no longer list it, and cannot report it; the moderator lists it with hidden=true.
    const listed = await hub.request('GET', `/v1/models/${acme.modelId}/posts`, { token: b!.token });
    expect((listed.body['items'] as Array<{ id: string }>).map((p) => p.id)).not.toContain(postId);
    expect((await report(b!.token, postId, 'again')).status).toBe(404);
    const hiddenList = await hub.request('GET', '/v1/posts?hidden=true', { token: acme.partner.key });
    expect((hiddenList.body['items'] as Array<{ id: string }>).map((p) => p.id)).toEqual([postId]);

    // Restoring keeps the moderator's reason in the history.
    const shown = await hub.request('DELETE', `/v1/posts/${postId}/hidden?reason=Appeal%20accepted`, {
      token: ADMIN_TOKEN,
    });
    expect(shown.status, shown.text).toBe(204);
    const history = await hub.request('GET', `/v1/posts/${postId}/history`, { token: acme.partner.key });
    const kinds = (history.body['items'] as Array<{ kind: string; note: string | null; actor: string }>).map(
      (e) => [e.kind, e.note, e.actor],
    );
    expect(kinds).toContainEqual(['hidden', 'Spam', 'partner']);
    expect(kinds).toContainEqual(['shown', 'Appeal accepted', 'operator']);
  });

  it('dismisses reports: the post stays, leaves the queue, and a new report reopens it', async () => {
    const [a, b] = acme.owners;
    const postId = String(
      (await createPost(hub, a!.token, acme.modelId, { kind: 'bug', title: 'Flicker', body: 'At 10%' }))[
        'id'
      ],
    );
    expect((await report(b!.token, postId, 'Duplicate of another bug')).status).toBe(200);
    expect((await queue(ADMIN_TOKEN)).map((q) => q.post.id)).toContain(postId);
    const dismissed = await hub.request('POST', `/v1/posts/${postId}/reports/dismiss`, {
      token: acme.partner.key,
      body: { reason: 'A real bug' },
    });
    expect(dismissed.body).toEqual({ dismissed: 1 });
    expect((await queue(acme.partner.key)).map((q) => q.post.id)).not.toContain(postId);
    const history = await hub.request('GET', `/v1/posts/${postId}/history`, { token: ADMIN_TOKEN });
    expect(history.body['items']).toContainEqual(
      expect.objectContaining({ kind: 'reports-dismissed', note: 'A real bug', actor: 'partner' }),
    );
    expect((await report(b!.token, postId, 'Still a duplicate')).body).toEqual({ open: 1 });
    expect((await queue(acme.partner.key)).map((q) => q.post.id)).toEqual([postId]);
  });

  it('pages the queue with the {items, next} cursor', async () => {
    const [a, b] = acme.owners;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = String(
        (await createPost(hub, a!.token, acme.modelId, { kind: 'idea', title: `Idea ${i}`, body: 'x' }))[
          'id'
        ],
      );
      expect((await report(b!.token, id, `reason ${i}`)).status).toBe(200);
      ids.push(id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await hub.request(
        'GET',
        `/v1/community/reports?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`,
        { token: acme.partner.key },
      );
      expect(res.status, res.text).toBe(200);
      seen.push(...(res.body['items'] as Queued[]).map((q) => q.post.id));
      cursor = res.body['next'] as string | null;
    } while (cursor !== null);
    expect(seen.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });
});
