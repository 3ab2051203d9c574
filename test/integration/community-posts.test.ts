import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcohubClient, EcohubError } from '../../src/sdk/index.js';
import { claim } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { eventually } from '../support/raw-mqtt.js';
import { createPost, type Maker, makerWithOwners, vote, votesOf } from './community-support.js';

describe('community posts and votes: only verified owners and shared users', () => {
  let hub: TestHub;
  let maker: Maker;
  beforeAll(async () => {
    hub = await startHub();
    maker = await makerWithOwners(hub, 3, 1);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('lets an owner post (with its vote counted) and refuses a user without a device of the model', async () => {
    const [ann] = maker.owners;
    const post = await createPost(hub, ann!.token, maker.modelId);
    expect(post).toMatchObject({ status: 'open', mine: true, voted: true, votes: { total: 1, verified: 1 } });

    const stranger = await newUser(hub);
    const refused = await hub.request('POST', `/v1/models/${maker.modelId}/posts`, {
      token: stranger.token,
      body: { kind: 'idea', title: 'x', body: 'y' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body['code']).toBe('NOT_AN_OWNER');
    const noVote = await hub.request('PUT', `/v1/posts/${String(post['id'])}/vote`, {
      token: stranger.token,
    });
    expect(noVote.status).toBe(403);
    expect(noVote.body['code']).toBe('NOT_AN_OWNER');
    // Reading is open to every user; the stranger still sees one vote.
    expect((await votesOf(hub, stranger.token, String(post['id']))).total).toBe(1);
  });

  it('counts a shared user as verified, and stops counting a voter who gave the device up', async () => {
    const [ann, bob] = maker.owners;
    const post = await createPost(hub, ann!.token, maker.modelId, {
      kind: 'bug',
      title: 'Flickers',
      body: 'At 10%',
    });
    const postId = String(post['id']);
    const guest = await newUser(hub);
    const shared = await hub.request('POST', `/v1/devices/${ann!.device.id}/shares`, {
      token: ann!.token,
      body: { email: guest.email },
    });
    expect(shared.status, shared.text).toBe(201);
    await vote(hub, guest.token, postId);
    await vote(hub, bob!.token, postId);
    expect(await votesOf(hub, bob!.token, postId)).toMatchObject({ total: 3, verified: 3 });

    // Bob removes his device: his vote stays, but no longer counts as verified.
    const removed = await hub.request('DELETE', `/v1/devices/${bob!.device.id}/binding`, {
      token: bob!.token,
    });
    expect(removed.status, removed.text).toBe(200);
    await hub.community.verifier.idle();
    expect(await votesOf(hub, ann!.token, postId)).toMatchObject({ total: 3, verified: 2 });
    // ... and he cannot cast new votes until he has a device again.
    const other = await createPost(hub, ann!.token, maker.modelId, {
      kind: 'idea',
      title: 'Scenes',
      body: 'More',
    });
    const refused = await hub.request('PUT', `/v1/posts/${String(other['id'])}/vote`, { token: bob!.token });
    expect(refused.body['code']).toBe('NOT_AN_OWNER');
    // Claiming it back (with the pairing code the removal issued) makes the old vote count again.
    await claim(hub, bob!.token, { ...bob!.device, pairingCode: String(removed.body['pairingCode']) });
    await hub.community.verifier.idle();
    expect(await votesOf(hub, ann!.token, postId)).toMatchObject({ total: 3, verified: 3 });
  });

  it('keeps one vote per user under 100 concurrent votes, and lets the vote be withdrawn', async () => {
    const [, , cid] = maker.owners;
    const post = await createPost(hub, maker.owners[0]!.token, maker.modelId, {
      kind: 'idea',
      title: 'Night light',
      body: '1% warm',
    });
    const postId = String(post['id']);
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        hub.request('PUT', `/v1/posts/${postId}/vote`, { token: cid!.token }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    expect(await votesOf(hub, cid!.token, postId)).toMatchObject({ total: 2, verified: 2 });
    const withdrawn = await hub.request('DELETE', `/v1/posts/${postId}/vote`, { token: cid!.token });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ voted: false, votes: { total: 1 } });
    const again = await hub.request('DELETE', `/v1/posts/${postId}/vote`, { token: cid!.token });
    expect(again.status).toBe(404);
  });

  it('ranks a model’s posts by verified votes, with tenure and activity in the detail', async () => {
    const res = await hub.request('GET', `/v1/models/${maker.modelId}/posts?sort=top&limit=2`, {
      token: maker.owners[1]!.token,
    });
    expect(res.status, res.text).toBe(200);
    const items = res.body['items'] as Array<{ id: string; votes: { verified: number } }>;
    expect(items).toHaveLength(2);
    expect(items[0]!.votes.verified).toBeGreaterThanOrEqual(items[1]!.votes.verified);
    const next = await hub.request(
      'GET',
      `/v1/models/${maker.modelId}/posts?sort=top&limit=2&cursor=${String(res.body['next'])}`,
      {
        token: maker.owners[1]!.token,
      },
    );
    const rest = next.body['items'] as Array<{ id: string }>;
    expect(rest.map((p) => p.id)).not.toContain(items[0]!.id);
    const detail = await hub.request('GET', `/v1/posts/${items[0]!.id}`, { token: ADMIN_TOKEN });
    expect(detail.body['ranking']).toMatchObject({
      byOwnership: { under30Days: items[0]!.votes.verified, days30To365: 0, over365Days: 0 },
      byActivity: { sampled: items[0]!.votes.verified },
    });
  });

  it('attaches a bug’s device context only with consent, shown to the author and the partner', async () => {
    const [ann, bob] = maker.owners;
    const noConsent = await hub.request('POST', `/v1/models/${maker.modelId}/posts`, {
      token: ann!.token,
      body: {
        kind: 'bug',
        title: 'Dies',
        body: 'After an hour',
        attach: { deviceId: ann!.device.id, consent: false },
      },
    });
    expect(noConsent.status).toBe(400);
    const notMine = await hub.request('POST', `/v1/models/${maker.modelId}/posts`, {
      token: ann!.token,
      body: {
        kind: 'bug',
        title: 'Dies',
        body: 'After an hour',
        attach: { deviceId: bob!.device.id, consent: true },
      },
    });
    expect(notMine.status).toBe(400);
    const post = await createPost(hub, ann!.token, maker.modelId, {
      kind: 'bug',
      title: 'Dies',
      body: 'After an hour',
      attach: { deviceId: ann!.device.id, consent: true },
    });
    const path = `/v1/posts/${String(post['id'])}/attachment`;
    expect((await hub.request('GET', path, { token: ann!.token })).body).toMatchObject({
      deviceId: ann!.device.id,
    });
    expect((await hub.request('GET', path, { token: maker.partner.key })).status).toBe(200);
    expect((await hub.request('GET', path, { token: bob!.token })).status).toBe(404);
  });

  it('works from the SDK: post, vote, and notices over MQTT and in the inbox', async () => {
    const [ann, bob] = maker.owners;
    const sdk = await EcohubClient.login(hub.httpUrl, bob!.email, 'correct horse battery', {
      mqttUrl: hub.mqttUrl,
    });
    try {
      const notices: string[] = [];
      const stop = await sdk.onNotice((n) => notices.push(`${n.kind}:${String(n.data['status'])}`));
      const post = await sdk.community.createPost(maker.modelId, {
        kind: 'idea',
        title: 'Timer',
        body: 'Off in 1 h',
      });
      expect(post).toMatchObject({ mine: true, votes: { verified: 1 } });
      const other = (await createPost(hub, ann!.token, maker.modelId))['id'] as string;
      expect((await sdk.community.vote(other)).voted).toBe(true);
      const page = await sdk.community.posts(maker.modelId, { sort: 'new', limit: 1 });
      expect(page.items[0]?.id).toBe(other);
      const status = await hub.request('PUT', `/v1/posts/${other}/status`, {
        token: maker.partner.key,
        body: { status: 'declined', note: 'Not on this hardware' },
      });
      expect(status.status, status.text).toBe(200);
      await eventually(() => notices.length === 1, 'the notice over MQTT');
      expect(notices).toEqual(['status:declined']);
      const inbox = await sdk.community.inbox({ unread: true });
      expect(inbox.items.map((n) => n.message)).toEqual(['Not on this hardware']);
      await sdk.community.markRead(inbox.items[0]!.id);
      expect((await sdk.community.inbox({ unread: true })).unread).toBe(0);
      const stranger = await newUser(hub);
      const outsider = await EcohubClient.login(hub.httpUrl, stranger.email, 'correct horse battery');
      await expect(outsider.community.vote(other)).rejects.toMatchObject({ code: 'NOT_AN_OWNER' });
      await expect(outsider.community.vote(other)).rejects.toBeInstanceOf(EcohubError);
      await stop();
    } finally {
      await sdk.close();
    }
  });

  it('limits posts per user per hour', async () => {
    const limited = await startHub({ limits: { communityPostsPerHour: 2 } });
    try {
      const m = await makerWithOwners(limited, 1);
      const token = m.owners[0]!.token;
      await createPost(limited, token, m.modelId);
      await createPost(limited, token, m.modelId);
      const third = await limited.request('POST', `/v1/models/${m.modelId}/posts`, {
        token,
        body: { kind: 'idea', title: 'x', body: 'y' },
      });
      expect(third.status).toBe(429);
      expect(third.body['code']).toBe('RATE_LIMITED');
    } finally {
      await limited.stop();
    }
    // A second hub of its own: its start and sign-ups take a while on a loaded machine.
  }, 120_000);
});
