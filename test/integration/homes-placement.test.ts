import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/store/sql.js';
import { partnerWithModel, provision } from '../support/devices.js';
import { bindOwner, createHome, createRoom, recordAccess } from '../support/homes.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';

type User = Awaited<ReturnType<typeof newUser>>;

describe('device placement in homes', () => {
  let hub: TestHub;
  let owner: User;
  let member: User;
  let other: User;
  let deviceIds: string[];
  let next = 0;

  /** A fresh device owned by `user`. */
  const ownedDevice = async (user: User) => {
    const id = deviceIds[next++];
    if (id === undefined) throw new Error('provision more devices');
    await bindOwner(hub, id, user.id);
    return id;
  };
  /** A fresh home of `owner` with `member` in it. */
  const sharedHome = async (name = 'Shared') => {
    const id = await createHome(hub, owner.token, name);
    await hub.homes.addMember(owner.id, id, member.email);
    return id;
  };
  const place = (deviceId: string, token: string, body: Record<string, unknown>) =>
    hub.request('PUT', `/v1/devices/${deviceId}/placement`, { token, body });

  beforeAll(async () => {
    hub = await startHub();
    const [made, ...users] = await Promise.all([
      partnerWithModel(hub),
      newUser(hub),
      newUser(hub),
      newUser(hub),
    ]);
    [owner, member, other] = users as [User, User, User];
    deviceIds = (await provision(hub, made.partner, made.modelId, 20)).map((d) => d.id);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('places an owned device in a room of its own home; members see it there', async () => {
    const home = await sharedHome('Flat');
    const room = await createRoom(hub, owner.token, home, 'Living room');
    const did = await ownedDevice(owner);

    const placed = await place(did, owner.token, { homeId: home, roomId: room });
    expect(placed.status, placed.text).toBe(200);
    expect(placed.body).toEqual({
      deviceId: did,
      homeId: home,
      homeName: 'Flat',
      roomId: room,
      roomName: 'Living room',
    });
    const listed = await hub.request('GET', `/v1/homes/${home}/devices`, { token: member.token });
    expect(listed.body['items']).toEqual([{ deviceId: did, roomId: room, roomName: 'Living room' }]);
    const detail = await hub.request('GET', `/v1/homes/${home}`, { token: member.token });
    expect(detail.body['devices']).toEqual([{ deviceId: did, roomId: room, roomName: 'Living room' }]);

    for (const user of [owner, member]) {
      expect((await hub.homes.placementsFor(user.id)).get(did)).toEqual({
        homeId: home,
        homeName: 'Flat',
        roomId: room,
        roomName: 'Living room',
      });
    }
    expect((await hub.homes.placementsFor(other.id)).size).toBe(0);
  });

  it('places without a room; deleting the room keeps the device in the home', async () => {
    const home = await createHome(hub, owner.token);
    const room = await createRoom(hub, owner.token, home, 'Study');
    const [a, b] = [await ownedDevice(owner), await ownedDevice(owner)];
    expect((await place(a, owner.token, { homeId: home })).body).toMatchObject({
      roomId: null,
      roomName: null,
    });
    expect((await place(b, owner.token, { homeId: home, roomId: room })).status).toBe(200);
    expect(
      (await hub.request('DELETE', `/v1/homes/${home}/rooms/${room}`, { token: owner.token })).status,
    ).toBe(204);
    const listed = await hub.request('GET', `/v1/homes/${home}/devices`, { token: owner.token });
    expect(listed.body['items']).toEqual(
      [a, b].sort().map((deviceId) => ({ deviceId, roomId: null, roomName: null })),
    );
  });

  it('refuses to place a device the caller does not own, or into a home it does not own', async () => {
    const mine = await createHome(hub, owner.token, 'Mine');
    const theirs = await createHome(hub, other.token, 'Theirs');
    const shared = await createHome(hub, other.token, 'Shared with me');
    await hub.homes.addMember(other.id, shared, owner.email);
    const otherRoom = await createRoom(
      hub,
      owner.token,
      await createHome(hub, owner.token, 'Second'),
      'Hall',
    );

    const notBound = deviceIds[next++] ?? '';
    const othersDevice = await ownedDevice(other);
    const did = await ownedDevice(owner);
    const cases: Array<[string, string, Record<string, unknown>, number, string?]> = [
      ['an unbound device', notBound, { homeId: mine }, 404],
      ["another user's device", othersDevice, { homeId: mine }, 404],
      ["a stranger's home", did, { homeId: theirs }, 404],
      ['a home the caller is only a member of', did, { homeId: shared }, 403],
      ['a room of another home', did, { homeId: mine, roomId: otherRoom }, 400, '/roomId'],
      ['an unknown room', did, { homeId: mine, roomId: '0123456789abcdef' }, 400, '/roomId'],
      ['an unknown home', did, { homeId: '0123456789abcdef' }, 404],
      ['a malformed home id', did, { homeId: 'nope' }, 400, '/homeId'],
    ];
    for (const [what, deviceId, body, status, path] of cases) {
      const res = await place(deviceId, owner.token, body);
      expect(res.status, `${what}: ${res.text}`).toBe(status);
      if (path) expect(res.body.errors?.map((e) => e.path)).toEqual([path]);
    }
    expect((await hub.homes.placementsFor(owner.id)).has(did)).toBe(false);
  });

  it('lets only the device owner move or unplace a device, not a home member who sees it', async () => {
    const home = await sharedHome();
    const memberHome = await createHome(hub, member.token, 'Member own');
    const did = await ownedDevice(owner);
    expect((await place(did, owner.token, { homeId: home })).status).toBe(200);

    expect((await place(did, member.token, { homeId: memberHome })).status).toBe(403);
    expect(
      (await hub.request('DELETE', `/v1/devices/${did}/placement`, { token: member.token })).status,
    ).toBe(403);
    expect((await hub.request('DELETE', `/v1/devices/${did}/placement`, { token: other.token })).status).toBe(
      404,
    );

    expect((await hub.request('DELETE', `/v1/devices/${did}/placement`, { token: owner.token })).status).toBe(
      204,
    );
    expect((await hub.request('DELETE', `/v1/devices/${did}/placement`, { token: owner.token })).status).toBe(
      204,
    );
    expect((await hub.homes.placementsFor(member.id)).has(did)).toBe(false);
    // Out of the home, the member no longer sees it at all.
    expect((await place(did, member.token, { homeId: memberHome })).status).toBe(404);
  });

  it('announces who may see which device whenever placement or membership changes it', async () => {
    const shared = await sharedHome();
    const solo = await createHome(hub, owner.token, 'Solo');
    const room = await createRoom(hub, owner.token, shared, 'Hall');
    const did = await ownedDevice(owner);
    const access = recordAccess(hub);
    const both = [owner.id, member.id].sort();
    try {
      const step = async (run: () => Promise<{ status: number }>, status: number, expected: string[][]) => {
        access.events.length = 0;
        expect((await run()).status).toBe(status);
        expect(access.events).toEqual(expected);
      };
      await step(() => place(did, owner.token, { homeId: shared }), 200, [both]);
      // A room change inside the same home changes nobody's access.
      await step(() => place(did, owner.token, { homeId: shared, roomId: room }), 200, []);
      await step(() => place(did, owner.token, { homeId: solo }), 200, [both]);
      await step(() => place(did, owner.token, { homeId: shared }), 200, [both]);
      await step(
        () => hub.request('DELETE', `/v1/homes/${shared}/members/${member.id}`, { token: owner.token }),
        204,
        [[member.id]],
      );
      expect((await hub.homes.placementsFor(member.id)).has(did)).toBe(false);
      await step(
        () =>
          hub.request('POST', `/v1/homes/${shared}/members`, {
            token: owner.token,
            body: { email: member.email },
          }),
        201,
        [[member.id]],
      );
      expect((await hub.homes.placementsFor(member.id)).has(did)).toBe(true);
      await step(() => hub.request('DELETE', `/v1/devices/${did}/placement`, { token: owner.token }), 204, [
        both,
      ]);
      await step(() => place(did, owner.token, { homeId: shared }), 200, [both]);
      await step(() => hub.request('DELETE', `/v1/homes/${shared}`, { token: owner.token }), 204, [both]);
      // Refused calls announce nothing.
      await step(() => place(did, member.token, { homeId: solo }), 404, []);
    } finally {
      access.stop();
    }
    expect((await hub.homes.placementsFor(member.id)).has(did)).toBe(false);
    // The device stays bound to its owner when its home goes.
    const binding = await hub.store.many<{ user_id: string; role: string }>(
      sql`SELECT user_id, role FROM device_bindings WHERE device_id = ${did}`,
    );
    expect(binding).toEqual([{ user_id: owner.id, role: 'owner' }]);
  });
});
