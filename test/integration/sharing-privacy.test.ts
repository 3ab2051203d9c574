import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';

type User = Awaited<ReturnType<typeof newUser>>;

describe('sharing does not reveal which emails have accounts', () => {
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  let owner: User;
  let known: User;
  let next = 0;
  const fresh = () => devices[next++] as ProvisionedDevice;

  beforeAll(async () => {
    hub = await startHub();
    const { partner, modelId } = await partnerWithModel(hub);
    devices = await provision(hub, partner, modelId, 6);
    [owner, known] = [await newUser(hub), await newUser(hub)];
  });
  afterAll(() => hub.stop());

  const share = (did: string, email: string, token = owner.token) =>
    hub.request('POST', `/v1/devices/${did}/shares`, { token, body: { email } });
  const sharesOf = async (did: string) => {
    const res = await hub.request('GET', `/v1/devices/${did}/shares`, { token: owner.token });
    expect(res.status, res.text).toBe(200);
    return res.body['shares'] as Array<Record<string, unknown>>;
  };
  const sees = async (user: User, did: string) =>
    (await hub.request('GET', `/v1/me/devices/${did}`, { token: user.token })).status === 200;

  it('answers a share the same way for an email with and without an account', async () => {
    const device = fresh();
    await claim(hub, owner.token, device);
    const unknownEmail = `nobody-${Date.now()}@example.com`;
    const withAccount = await share(device.id, known.email);
    const withoutAccount = await share(device.id, unknownEmail);
    // Before: 201 with the member's user id for one, 404 "no user with this email" for the other.
    expect(withAccount.status).toBe(201);
    expect(withoutAccount.status).toBe(201);
    const shape = (body: Record<string, unknown>) => Object.keys(body).sort();
    expect(shape(withAccount.body)).toEqual(shape(withoutAccount.body));
    expect(withAccount.body).toEqual({ email: known.email, role: 'member', since: expect.any(String) });
    expect(withoutAccount.body).toEqual({ email: unknownEmail, role: 'member', since: expect.any(String) });
    expect(withAccount.text).not.toContain(known.id);

    // Sharing again is the same 409 for both; so is the list, entry for entry.
    const again = [await share(device.id, known.email), await share(device.id, unknownEmail.toUpperCase())];
    expect(again.map((r) => [r.status, r.body['code']])).toEqual([
      [409, 'ALREADY_EXISTS'],
      [409, 'ALREADY_EXISTS'],
    ]);
    const listed = await sharesOf(device.id);
    expect(listed.map((s) => [s['email'], s['role']])).toEqual([
      [owner.email, 'owner'],
      [known.email, 'member'],
      [unknownEmail, 'member'],
    ]);
    expect(new Set(listed.map(shape).map(String)).size).toBe(1);
    expect(await sees(known, device.id)).toBe(true);
  });

  it('binds a share to the account registered later with that email', async () => {
    const device = fresh();
    await claim(hub, owner.token, device);
    const email = `later-${Date.now()}@example.com`;
    expect((await share(device.id, email)).status).toBe(201);
    const newcomer = await newUser(hub, email.toUpperCase()); // emails compare without case
    expect(await sees(newcomer, device.id)).toBe(true);
    const state = await hub.request('GET', `/v1/me/devices/${device.id}`, { token: newcomer.token });
    expect(state.body['role']).toBe('member');
    // The member may leave by its own id, as any member.
    const left = await hub.request('DELETE', `/v1/devices/${device.id}/shares/${newcomer.id}`, {
      token: newcomer.token,
    });
    expect(left.status).toBe(204);
    expect(await sees(newcomer, device.id)).toBe(false);
  });

  it('lets the owner revoke a share or an invitation by email; removal drops invitations', async () => {
    const device = fresh();
    await claim(hub, owner.token, device);
    const email = `revoked-${Date.now()}@example.com`;
    await share(device.id, email);
    await share(device.id, known.email);
    for (const target of [email, known.email]) {
      const res = await hub.request(
        'DELETE',
        `/v1/devices/${device.id}/shares/${encodeURIComponent(target)}`,
        {
          token: owner.token,
        },
      );
      expect(res.status, res.text).toBe(204);
    }
    expect((await sharesOf(device.id)).map((s) => s['email'])).toEqual([owner.email]);
    expect(await sees(known, device.id)).toBe(false);

    const removedEmail = `removed-${Date.now()}@example.com`;
    await share(device.id, removedEmail);
    const removed = await hub.request('DELETE', `/v1/devices/${device.id}/binding`, { token: owner.token });
    expect(removed.status).toBe(200);
    const late = await newUser(hub, removedEmail);
    expect(await sees(late, device.id)).toBe(false);
    // An invitation made by a previous owner never binds to a device that changed hands.
    const other = fresh();
    await claim(hub, owner.token, other);
    const stale = `stale-${Date.now()}@example.com`;
    await share(other.id, stale);
    const gone = await hub.request('DELETE', `/v1/devices/${other.id}/binding`, { token: owner.token });
    await claim(hub, known.token, { ...other, pairingCode: String(gone.body['pairingCode']) });
    expect(await sees(await newUser(hub, stale), other.id)).toBe(false);
  });

  it('counts members and invitations alike against the limit of 50', async () => {
    const device = fresh();
    await claim(hub, owner.token, device);
    for (let i = 0; i < 49; i++)
      expect((await share(device.id, `cap-${i}-${Date.now()}@example.com`)).status).toBe(201);
    expect((await share(device.id, known.email)).status).toBe(201);
    const over = [
      await share(device.id, `cap-x-${Date.now()}@example.com`),
      await share(device.id, owner.email),
    ];
    expect(over[0]?.status).toBe(409);
    expect(over[0]?.body['code']).toBe('INVALID_STATE');
    expect(over[1]?.status).toBe(409); // yourself: already has access
  });
});
