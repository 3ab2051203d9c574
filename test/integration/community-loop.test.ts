import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerWithModel } from '../support/devices.js';
import {
  type OtaDevice,
  rolloutState,
  shipPackage,
  startOtaDevices,
  stopOtaDevices,
} from '../support/firmware.js';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
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
import { until } from './sim-support.js';

type Notice = Record<string, unknown>;

/** The promise's value, or a failure naming what did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
const summary = (n: Notice) => {
  const data = n['data'] as Record<string, unknown>;
  return `${String(n['kind'])}:${String(data['status'] ?? data['version'] ?? '')}`;
};

const FAST = {
  baseRatePerMinute: 100_000,
  maxRatePerMinute: 100_000,
  promoteAtSuccessPercent: 0,
  retries: { max: 0, backoffMs: 0 },
};

/**
 * The whole loop with simulated devices and the real firmware domain: post -> votes -> a release
 * linked to it -> the release enters beta (posts in beta, voters who own the model invited) -> an
 * invited owner opts in from the invitation and gets the build -> promoted to stable (posts
 * shipped) -> a stable rollout reaches the other voters' devices. Every voter is notified exactly
 * once per step, over REST and MQTT.
 */
describe('community: closing the loop with a firmware release', () => {
  let hub: TestHub;
  let maker: Maker;
  let fleet: OtaDevice[] = [];
  beforeAll(async () => {
    hub = await startHub({ firmware: { tickMs: 50 } });
    maker = await makerWithOwners(hub, 4);
  }, 120_000);
  afterAll(async () => {
    await stopOtaDevices(fleet, hub);
    await hub?.stop();
  });

  it('links posts only to a release of the partner, found in the firmware packages', async () => {
    const [ann] = maker.owners;
    const postId = String((await createPost(hub, ann!.token, maker.modelId))['id']);
    const other = await partnerWithModel(hub);
    const theirs = await shipPackage(hub, other.partner.key, other.modelId, '3.0.0');
    for (const releaseId of ['fw_0000000000000000', theirs.id]) {
      const res = await hub.request('PUT', `/v1/community/releases/${releaseId}/posts`, {
        token: maker.partner.key,
        body: { postIds: [postId] },
      });
      expect(res.status, releaseId).toBe(404);
    }
    const ours = await shipPackage(hub, maker.partner.key, maker.modelId, '1.5.0');
    const wrong = await hub.request('PUT', `/v1/community/releases/${ours.id}/posts`, {
      token: maker.partner.key,
      body: { version: '9.9.9', postIds: [postId] },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body['errors']?.[0]?.path).toBe('/version');
    const user = await hub.request('PUT', `/v1/community/releases/${ours.id}/posts`, {
      token: ann!.token,
      body: { postIds: [postId] },
    });
    expect(user.status).toBe(403);
    const operator = await hub.request('PUT', `/v1/community/releases/${ours.id}/posts`, {
      token: ADMIN_TOKEN,
      body: { postIds: [postId] },
    });
    expect(operator.status, operator.text).toBe(200);
    expect(operator.body['items']).toEqual([
      expect.objectContaining({ releaseId: ours.id, modelId: maker.modelId, version: '1.5.0' }),
    ]);
  });

  it('tells every voter each step once, invites owners to beta, and tells each when the release runs on their device', async () => {
    const [ann, bob, cid, dan] = maker.owners;
    const phones = await Promise.all([ann!, bob!, cid!, dan!].map((u) => notificationPhone(hub, u)));
    try {
      const postId = String(
        (
          await createPost(hub, ann!.token, maker.modelId, {
            kind: 'bug',
            title: 'Flickers at 10%',
            body: 'Since 1.0.0',
          })
        )['id'],
      );
      for (const voter of [bob!, cid!, dan!]) await vote(hub, voter.token, postId);
      // Dan gives his device up: his vote stays (unverified) and he is still answered, but not invited to test.
      expect(
        (await hub.request('DELETE', `/v1/devices/${dan!.device.id}/binding`, { token: dan!.token })).status,
      ).toBe(200);
      await hub.community.verifier.idle();
      fleet = await startOtaDevices(hub, maker.spec, [ann!.device, bob!.device, cid!.device]);
      const [annDevice, bobDevice, cidDevice] = fleet;

      const pkg = await shipPackage(hub, maker.partner.key, maker.modelId, '2.0.0');
      const linked = await hub.request('PUT', `/v1/community/releases/${pkg.id}/posts`, {
        token: maker.partner.key,
        body: { postIds: [postId] },
      });
      expect(linked.status, linked.text).toBe(200);
      const status = async () =>
        (await hub.request('GET', `/v1/posts/${postId}`, { token: ann!.token })).body['status'];
      expect(await status()).toBe('planned');

      // Bob is a beta tester already; the release goes to beta and reaches his device.
      expect(
        (await hub.request('PUT', `/v1/me/devices/${bob!.device.id}/beta`, { token: bob!.token })).status,
      ).toBe(200);
      const bobUpdated = bobDevice!.ota.next();
      const beta = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/beta`, {
        token: maker.partner.key,
        body: { soakMs: 1500, policy: FAST },
      });
      expect(beta.status, beta.text).toBe(200);
      const betaRollout = String(beta.body['rolloutId']);
      expect(await status()).toBe('in-beta');
      expect((await within(bobUpdated, 15_000, 'beta update of Bob')).outcome).toBe('updated');

      // Ann follows her invitation: it names her device and the opt-in request; her device joins the beta rollout.
      await eventually(
        async () => (await inbox(hub, ann!.token)).some((n) => n['kind'] === 'beta-invitation'),
        'Ann invited',
      );
      const invitation = (await inbox(hub, ann!.token)).find((n) => n['kind'] === 'beta-invitation')!;
      const optIn = (invitation['data'] as { optIn: Array<{ method: string; path: string }> }).optIn;
      expect(optIn).toEqual([
        { deviceId: ann!.device.id, method: 'PUT', path: `/v1/me/devices/${ann!.device.id}/beta` },
      ]);
      const annUpdated = annDevice!.ota.next();
      const joined = await hub.request(optIn[0]!.method, optIn[0]!.path, { token: ann!.token });
      expect(joined.status, joined.text).toBe(200);
      expect(joined.body['rolloutId']).toBe(betaRollout);
      expect((await within(annUpdated, 15_000, 'beta update of Ann')).outcome).toBe('updated');
      // Ann writes feedback from her device on the beta release: it counts for the release and for her.
      await until(
        async () =>
          (await hub.request('GET', `/v1/me/devices/${ann!.device.id}/firmware`, { token: ann!.token })).body[
            'currentVersion'
          ] === '2.0.0',
        10_000,
        'Ann on 2.0.0',
      );
      const feedback = await hub.request('POST', `/v1/posts/${postId}/comments`, {
        token: ann!.token,
        body: { body: 'No flicker at 10% on the beta' },
      });
      expect(feedback.status, feedback.text).toBe(201);
      expect(feedback.body['firmwareVersion']).toBe('2.0.0');

      // Promotion waits for the soak; then the posts ship and the testers hear their device runs it.
      const early = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/promote`, {
        token: maker.partner.key,
      });
      expect(early.status).toBe(409);
      await until(
        async () => (await rolloutState(hub, maker.partner.key, betaRollout)).state === 'completed',
        20_000,
        'the beta soak',
      );
      expect((await rolloutState(hub, maker.partner.key, betaRollout)).counts['succeeded']).toBe(2);
      const promoted = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/promote`, {
        token: maker.partner.key,
      });
      expect(promoted.status, promoted.text).toBe(200);
      expect(await status()).toBe('shipped');
      // The partner sees how the release was tested before promotion; a user may not.
      const testing = await hub.request('GET', `/v1/community/releases/${pkg.id}/testing`, {
        token: maker.partner.key,
      });
      expect(testing.status, testing.text).toBe(200);
      expect(testing.body).toMatchObject({
        releaseId: pkg.id,
        version: '2.0.0',
        channel: 'stable',
        devices: 2,
        keptDevices: 2,
        testers: 2,
        feedback: { comments: 1, authors: 1 },
      });
      expect(Number(testing.body['deviceHours'])).toBeGreaterThan(0);
      const byModel = await hub.request('GET', `/v1/models/${maker.modelId}/beta-testing`, {
        token: maker.partner.key,
      });
      expect((byModel.body['items'] as Array<{ releaseId: string }>).map((r) => r.releaseId)).toEqual([
        pkg.id,
      ]);
      expect(
        (await hub.request('GET', `/v1/community/releases/${pkg.id}/testing`, { token: ann!.token })).status,
      ).toBe(403);
      const annCredit = await hub.request('GET', '/v1/me/tester-credit', { token: ann!.token });
      expect(annCredit.body).toMatchObject({
        feedback: 1,
        releases: [{ releaseId: pkg.id, devices: 1, feedback: 1 }],
      });
      expect(Number(annCredit.body['credit'])).toBeGreaterThanOrEqual(24);
      const bobCredit = await hub.request('GET', '/v1/me/tester-credit', { token: bob!.token });
      expect(bobCredit.body).toMatchObject({
        feedback: 0,
        releases: [{ releaseId: pkg.id, devices: 1, feedback: 0 }],
      });
      expect(
        (await hub.request('GET', '/v1/me/tester-credit', { token: dan!.token })).body['releases'],
      ).toEqual([]);

      // The stable rollout reaches Cid's device (and waits for Dan's old one, offline): Cid is told when it runs there.
      const cidUpdated = cidDevice!.ota.next();
      const stable = await hub.request('POST', '/v1/firmware/rollouts', {
        token: maker.partner.key,
        body: {
          packageId: pkg.id,
          target: { kind: 'channel', channel: 'stable' },
          policy: { ...FAST, canary: 0, stages: [100], stageSoakMs: 0 },
        },
      });
      expect(stable.status, stable.text).toBe(201);
      expect((await within(cidUpdated, 15_000, 'stable update of Cid')).outcome).toBe('updated');

      const statusSteps = ['status:planned', 'status:in-beta', 'status:shipped'];
      const expected = new Map([
        [ann!.id, [...statusSteps, 'beta-invitation:2.0.0', 'shipped:2.0.0']],
        [bob!.id, [...statusSteps, 'beta-invitation:2.0.0', 'shipped:2.0.0']],
        [cid!.id, [...statusSteps, 'beta-invitation:2.0.0', 'shipped:2.0.0']],
        [dan!.id, statusSteps],
      ]);
      const onlyThisPost = (n: Notice) => n['postId'] === postId;
      for (const [i, user] of [ann!, bob!, cid!, dan!].entries()) {
        const want = [...(expected.get(user.id) ?? [])].sort();
        await eventually(
          async () => (await inbox(hub, user.token)).filter(onlyThisPost).length >= want.length,
          `inbox of voter ${i}`,
          10_000,
        );
        const rest = (await inbox(hub, user.token)).filter(onlyThisPost);
        expect(rest.map(summary).sort(), `REST inbox of voter ${i}`).toEqual(want);
        const phone = phones[i]!;
        await eventually(
          () => phone.notices.filter(onlyThisPost).length >= want.length,
          `MQTT notices of voter ${i}`,
        );
        const mqtt = phone.notices.filter(onlyThisPost);
        expect(mqtt.map(summary).sort(), `MQTT notices of voter ${i}`).toEqual(want);
        expect(mqtt.map((n) => n['id']).sort()).toEqual(rest.map((n) => n['id']).sort());
      }

      // Announced again (a retried event, a restart catching up): nothing new is sent.
      expect(await hub.community.releases.releaseInBeta(pkg.id)).toEqual({ invited: 0 });
      await hub.community.releases.releaseOnStable(pkg.id);
      expect(await hub.community.releases.catchUp()).toBe(0);
      expect((await inbox(hub, ann!.token)).filter(onlyThisPost)).toHaveLength(5);

      // The inbox marks notices read; the unread count follows.
      const first = (await inbox(hub, ann!.token))[0]!;
      expect(
        (await hub.request('POST', `/v1/me/notifications/${String(first['id'])}/read`, { token: ann!.token }))
          .status,
      ).toBe(204);
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
