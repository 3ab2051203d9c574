import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
import { createPost, inbox, type Maker, makerWithOwners, vote, votesOf } from './community-support.js';

describe('community moderation: partner-scoped, merges without double counting', () => {
  let hub: TestHub;
  let acme: Maker;
  let other: Maker;
  beforeAll(async () => {
    hub = await startHub();
    acme = await makerWithOwners(hub, 4);
    other = await makerWithOwners(hub, 1);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('merges a duplicate: votes move, a voter of both is counted once, its voters are told', async () => {
    const [a, b, c, d] = acme.owners;
    const from = String((await createPost(hub, a!.token, acme.modelId))['id']);
    await vote(hub, b!.token, from);
    await vote(hub, c!.token, from);
    const into = String(
      (await createPost(hub, d!.token, acme.modelId, { kind: 'idea', title: 'Wake-up light', body: 'Same' }))[
        'id'
      ],
    );
    await vote(hub, c!.token, into);
    // from: a, b, c; into: d, c. Merged: a, b, c, d.
    const merged = await hub.request('POST', `/v1/posts/${from}/merge`, {
      token: acme.partner.key,
      body: { into },
    });
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body['moved']).toBe(2);
    expect(await votesOf(hub, a!.token, into)).toMatchObject({ total: 4, verified: 4 });
    const dup = await hub.request('GET', `/v1/posts/${from}`, { token: a!.token });
    expect(dup.body).toMatchObject({ status: 'duplicate', duplicateOf: into, votes: { total: 0 } });
    // Voting on the duplicate points to the survivor; a's vote now counts there (voted: true).
    expect((await hub.request('PUT', `/v1/posts/${from}/vote`, { token: a!.token })).status).toBe(409);
    expect((await hub.request('GET', `/v1/posts/${into}`, { token: a!.token })).body['voted']).toBe(true);
    for (const voter of [a!, b!, c!]) {
      const notes = (await inbox(hub, voter.token)).filter((n) => n['postId'] === from);
      expect(notes.map((n) => [n['kind'], (n['data'] as Record<string, unknown>)['status']])).toEqual([
        ['status', 'duplicate'],
      ]);
    }
    // Merging again is refused: one survivor.
    const again = await hub.request('POST', `/v1/posts/${from}/merge`, {
      token: acme.partner.key,
      body: { into },
    });
    expect(again.status).toBe(409);
  });

  it('lets only the model’s partner and the operator moderate (isolation matrix)', async () => {
    const [owner] = acme.owners;
    const postId = String((await createPost(hub, owner!.token, acme.modelId))['id']);
    const otherPost = String((await createPost(hub, other.owners[0]!.token, other.modelId))['id']);
    const actions: Array<[string, string, unknown]> = [
      ['PUT', `/v1/posts/${postId}/status`, { status: 'planned' }],
      ['PUT', `/v1/posts/${postId}/hidden`, { reason: 'spam' }],
      ['DELETE', `/v1/posts/${postId}/hidden`, undefined],
      ['PUT', `/v1/posts/${postId}/lock`, { locked: true }],
      ['PUT', `/v1/posts/${postId}/lock`, { locked: false }],
    ];
    for (const [method, path, body] of actions) {
      const asOther = await hub.request(method, path, { token: other.partner.key, body });
      expect(asOther.status, `${method} ${path} by another partner`).toBe(404);
      const asUser = await hub.request(method, path, { token: owner!.token, body });
      expect(asUser.status, `${method} ${path} by a user`).toBe(403);
      const asPartner = await hub.request(method, path, { token: acme.partner.key, body });
      expect(asPartner.status, `${method} ${path} by the partner`).toBeLessThan(300);
      const asOperator = await hub.request(method, path, { token: ADMIN_TOKEN, body });
      expect(asOperator.status, `${method} ${path} by the operator`).toBeLessThan(300);
    }
    // Merging across partners or models, and linking another partner's posts, are refused.
    const cross = await hub.request('POST', `/v1/posts/${otherPost}/merge`, {
      token: acme.partner.key,
      body: { into: postId },
    });
    expect(cross.status).toBe(404);
    const crossModel = await hub.request('POST', `/v1/posts/${otherPost}/merge`, {
      token: ADMIN_TOKEN,
      body: { into: postId },
    });
    expect(crossModel.status).toBe(400);
    const link = await hub.request('PUT', '/v1/community/releases/r-9/posts', {
      token: acme.partner.key,
      body: { modelId: other.modelId, version: '9.0.0', postIds: [otherPost] },
    });
    expect(link.status).toBe(404);
    // A partner reads its own models' posts only; a user reads every model's.
    expect((await hub.request('GET', `/v1/posts/${otherPost}`, { token: acme.partner.key })).status).toBe(
      404,
    );
    expect(
      (await hub.request('GET', `/v1/models/${other.modelId}/posts`, { token: acme.partner.key })).status,
    ).toBe(404);
    const own = await hub.request('GET', '/v1/posts', { token: acme.partner.key });
    const ids = (own.body['items'] as Array<{ id: string }>).map((p) => p.id);
    expect(ids).toContain(postId);
    expect(ids).not.toContain(otherPost);
    expect((await hub.request('GET', `/v1/posts/${otherPost}`, { token: owner!.token })).status).toBe(200);
  });

  it('hides a post from other users (not from its author) and locks it against votes and comments', async () => {
    const [author, reader] = acme.owners;
    const postId = String((await createPost(hub, author!.token, acme.modelId))['id']);
    await hub.request('PUT', `/v1/posts/${postId}/hidden`, {
      token: acme.partner.key,
      body: { reason: 'off topic' },
    });
    expect((await hub.request('GET', `/v1/posts/${postId}`, { token: reader!.token })).status).toBe(404);
    const mine = await hub.request('GET', `/v1/posts/${postId}`, { token: author!.token });
    expect(mine.body['hidden']).toMatchObject({ reason: 'off topic' });
    const listed = await hub.request('GET', `/v1/models/${acme.modelId}/posts?sort=new`, {
      token: reader!.token,
    });
    expect((listed.body['items'] as Array<{ id: string }>).map((p) => p.id)).not.toContain(postId);
    await hub.request('DELETE', `/v1/posts/${postId}/hidden`, { token: acme.partner.key });
    await hub.request('PUT', `/v1/posts/${postId}/lock`, { token: acme.partner.key, body: { locked: true } });
    const locked = await hub.request('PUT', `/v1/posts/${postId}/vote`, { token: reader!.token });
    expect(locked.status).toBe(409);
    expect(locked.body['code']).toBe('POST_LOCKED');
    const comment = await hub.request('POST', `/v1/posts/${postId}/comments`, {
      token: reader!.token,
      body: { body: 'me too' },
    });
    expect(comment.body['code']).toBe('POST_LOCKED');
    const history = await hub.request('GET', `/v1/posts/${postId}/history`, { token: reader!.token });
    expect((history.body['items'] as Array<{ kind: string }>).map((e) => e.kind)).toEqual([
      'created',
      'hidden',
      'shown',
      'locked',
    ]);
  });

  it('publishes a weekly digest per model as JSON and CSV, to its partner', async () => {
    const json = await hub.request('GET', `/v1/models/${acme.modelId}/digest`, { token: acme.partner.key });
    expect(json.status, json.text).toBe(200);
    expect(json.body['newPosts']).toBeGreaterThanOrEqual(4);
    expect(json.body['votes']).toBeGreaterThanOrEqual(4);
    const csv = await hub.request('GET', `/v1/models/${acme.modelId}/digest?format=csv`, {
      token: acme.partner.key,
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.split('\n')[1]).toBe('at,post_id,kind,from_status,to_status,note');
    expect(
      (await hub.request('GET', `/v1/models/${acme.modelId}/digest`, { token: other.partner.key })).status,
    ).toBe(404);
  });
});
