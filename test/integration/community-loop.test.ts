import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, report } from '../support/devices.js';
import { startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import { eventually } from '../support/raw-mqtt.js';
import {
  createPost,
  inbox,
  type Maker,
  makerWithOwners,
  notificationPhone,
  vote,
} from './community-support.js';

type Notice = Record<string, unknown>;
const summary = (n: Notice) => {
  const data = n['data'] as Record<string, unknown>;
  return `${String(n['kind'])}:${String(data['status'] ?? data['version'] ?? '')}`;
};

/**
 * The whole loop with simulated devices: post -> votes -> linked release -> beta invitation ->
 * shipped -> every voter notified exactly once, over REST and MQTT. The release's stages come from
 * the firmware domain (issue 14); here they are announced through the same service calls.
 */
describe('community: closing the loop with a firmware release', () => {
  let hub: TestHub;
  let maker: Maker;
  beforeAll(async () => {
    hub = await startHub();
    maker = await makerWithOwners(hub, 4);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('tells every voter each step once, invites owners to beta, and tells each when the release reaches their device', async () => {
    const [ann, bob, cid, dan] = maker.owners;
    const phones = await Promise.all([ann!, bob!, cid!, dan!].map((u) => notificationPhone(hub, u)));
    try {
      const postId = String((await createPost(hub, ann!.token, maker.modelId))['id']);
      for (const voter of [bob!, cid!, dan!]) await vote(hub, voter.token, postId);
      // Dan gives his device up: his vote stays (unverified) and he is still answered, but not invited to test.
      expect(
        (await hub.request('DELETE', `/v1/devices/${dan!.device.id}/binding`, { token: dan!.token })).status,
      ).toBe(200);
      await hub.community.verifier.idle();

      const linked = await hub.request('PUT', '/v1/community/releases/rel-2.0.0/posts', {
        token: maker.partner.key,
        body: { modelId: maker.modelId, version: '2.0.0', postIds: [postId] },
      });
      expect(linked.status, linked.text).toBe(200);
      expect((await hub.request('GET', `/v1/posts/${postId}`, { token: ann!.token })).body['status']).toBe(
        'planned',
      );

      expect(await hub.community.releases.releaseInBeta('rel-2.0.0')).toEqual({ invited: 3 });
      // Announced twice (a retried event): nothing new is sent.
      expect(await hub.community.releases.releaseInBeta('rel-2.0.0')).toEqual({ invited: 0 });
      await hub.community.releases.releaseOnStable('rel-2.0.0');
      await hub.community.releases.releaseOnStable('rel-2.0.0');
      expect((await hub.request('GET', `/v1/posts/${postId}`, { token: ann!.token })).body['status']).toBe(
        'shipped',
      );

      // Ann's and Bob's devices update and report the new firmware (twice: still one notice each).
      for (const owner of [ann!, bob!]) {
        const device = await connectDevice(hub.mqttUrl, owner.device);
        try {
          await report(device, owner.device.id, { 'device-information.firmware-revision': '2.0.0' });
          await report(device, owner.device.id, { 'device-information.firmware-revision': '2.0.0' });
        } finally {
          await end(device);
        }
      }

      const statusSteps = ['status:planned', 'status:in-beta', 'status:shipped'];
      const expected = new Map([
        [ann!.id, [...statusSteps, 'beta-invitation:2.0.0', 'shipped:2.0.0']],
        [bob!.id, [...statusSteps, 'beta-invitation:2.0.0', 'shipped:2.0.0']],
        [cid!.id, [...statusSteps, 'beta-invitation:2.0.0']],
        [dan!.id, statusSteps],
      ]);
      for (const [i, user] of [ann!, bob!, cid!, dan!].entries()) {
        const want = [...(expected.get(user.id) ?? [])].sort();
        await eventually(
          async () => (await inbox(hub, user.token)).length >= want.length,
          `inbox of voter ${i}`,
        );
        const rest = await inbox(hub, user.token);
        expect(rest.map(summary).sort(), `REST inbox of voter ${i}`).toEqual(want);
        const phone = phones[i]!;
        await eventually(() => phone.notices.length >= want.length, `MQTT notices of voter ${i}`);
        expect(phone.notices.map(summary).sort(), `MQTT notices of voter ${i}`).toEqual(want);
        expect(phone.notices.map((n) => n['id']).sort()).toEqual(rest.map((n) => n['id']).sort());
      }

      // The inbox marks notices read; the unread count follows.
      const first = (await inbox(hub, ann!.token))[0]!;
      expect(
        (await hub.request('POST', `/v1/me/notifications/${String(first['id'])}/read`, { token: ann!.token }))
          .status,
      ).toBe(204);
      const unread = await hub.request('GET', '/v1/me/notifications?unread=true', { token: ann!.token });
      expect(unread.body['unread']).toBe(4);
      expect(
        (await hub.request('POST', `/v1/me/notifications/${String(first['id'])}/read`, { token: bob!.token }))
          .status,
      ).toBe(404);

      const history = await hub.request('GET', `/v1/posts/${postId}/history`, { token: cid!.token });
      expect(
        (history.body['items'] as Array<{ kind: string; toStatus: string | null }>).map(
          (e) => `${e.kind}:${e.toStatus ?? ''}`,
        ),
      ).toEqual(['created:open', 'release-linked:', 'status:planned', 'status:in-beta', 'status:shipped']);
    } finally {
      for (const p of phones) await end(p.client);
    }
  }, 120_000);
});
