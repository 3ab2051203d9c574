import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME_LIMITS } from '../../src/registry/homes/service.js';
import { sql } from '../../src/store/sql.js';
import { createHome, createRoom, recordAccess } from '../support/homes.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';

type User = Awaited<ReturnType<typeof newUser>>;

describe('homes, members and rooms', () => {
  let hub: TestHub;
  let owner: User;
  let member: User;
  let stranger: User;

  beforeAll(async () => {
    hub = await startHub();
    [owner, member, stranger] = await Promise.all([newUser(hub), newUser(hub), newUser(hub)]);
  });
  afterAll(async () => {
    await hub.stop();
  });

  const homeIds = async (user: User) => {
    const res = await hub.request('GET', '/v1/homes', { token: user.token });
    expect(res.status, res.text).toBe(200);
    return (res.body['items'] as Array<{ id: string; role: string }>).map((h) => `${h.id}:${h.role}`);
  };

  it('creates a home owned by its creator, lists it and shows its detail', async () => {
    const created = await hub.request('POST', '/v1/homes', {
      token: owner.token,
      body: { name: '  Flat  ' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ name: 'Flat', role: 'owner', createdAt: expect.any(String) });
    const id = String(created.body['id']);
    expect(await homeIds(owner)).toContain(`${id}:owner`);
    expect(await homeIds(stranger)).not.toContain(`${id}:owner`);

    const detail = await hub.request('GET', `/v1/homes/${id}`, { token: owner.token });
    expect(detail.status, detail.text).toBe(200);
    expect(detail.body).toEqual({
      id,
      name: 'Flat',
      role: 'owner',
      createdAt: created.body['createdAt'],
      members: [{ userId: owner.id, email: owner.email, displayName: null, role: 'owner' }],
      rooms: [],
      devices: [],
    });
  });

  it('refuses blank, too long and unexpected names, reporting the field', async () => {
    for (const body of [
      { name: '   ' },
      { name: '' },
      { name: 'x'.repeat(51) },
      { name: 'A', extra: 1 },
      {},
    ]) {
      const res = await hub.request('POST', '/v1/homes', { token: owner.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body['code']).toBe('VALIDATION_FAILED');
      expect(res.body.errors?.length).toBeGreaterThan(0);
    }
    const fifty = await hub.request('POST', '/v1/homes', {
      token: owner.token,
      body: { name: 'é'.repeat(50) },
    });
    expect(fifty.status, fifty.text).toBe(201);
  });

  it('lets the owner rename the home; a member may not', async () => {
    const id = await createHome(hub, owner.token, 'Old name');
    await hub.homes.addMember(owner.id, id, member.email);
    const renamed = await hub.request('PATCH', `/v1/homes/${id}`, {
      token: owner.token,
      body: { name: 'New name' },
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: 'New name', role: 'owner' });
    const byMember = await hub.request('PATCH', `/v1/homes/${id}`, {
      token: member.token,
      body: { name: 'X' },
    });
    expect(byMember.status).toBe(403);
    const seen = await hub.request('GET', `/v1/homes/${id}`, { token: member.token });
    expect(seen.body).toMatchObject({ name: 'New name', role: 'member' });
  });

  it('adds members by email; unknown email is 404, a member again is 409', async () => {
    const id = await createHome(hub, owner.token);
    const path = `/v1/homes/${id}/members`;
    const added = await hub.request('POST', path, { token: owner.token, body: { email: member.email } });
    expect(added.status, added.text).toBe(201);
    expect(added.body).toEqual({ userId: member.id, email: member.email, displayName: null, role: 'member' });
    expect(await homeIds(member)).toContain(`${id}:member`);

    const unknown = await hub.request('POST', path, {
      token: owner.token,
      body: { email: 'nobody-here@example.com' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors).toEqual([{ path: '/email', message: expect.any(String) }]);
    for (const email of [member.email, member.email.toUpperCase(), owner.email]) {
      const again = await hub.request('POST', path, { token: owner.token, body: { email } });
      expect(again.status, email).toBe(409);
      expect(again.body['code']).toBe('ALREADY_EXISTS');
    }
    const byMember = await hub.request('POST', path, {
      token: member.token,
      body: { email: stranger.email },
    });
    expect(byMember.status).toBe(403);

    const detail = await hub.request('GET', `/v1/homes/${id}`, { token: member.token });
    expect((detail.body['members'] as Array<{ userId: string; role: string }>).map((m) => m.role)).toEqual([
      'owner',
      'member',
    ]);
  });

  it('lets the owner remove a member and a member leave; the owner cannot leave', async () => {
    const id = await createHome(hub, owner.token);
    const access = recordAccess(hub);
    try {
      await hub.homes.addMember(owner.id, id, member.email);
      await hub.homes.addMember(owner.id, id, stranger.email);
      const path = (userId: string) => `/v1/homes/${id}/members/${userId}`;

      expect((await hub.request('DELETE', path(owner.id), { token: member.token })).status).toBe(403);
      expect((await hub.request('DELETE', path(stranger.id), { token: member.token })).status).toBe(403);
      const ownerLeaves = await hub.request('DELETE', path(owner.id), { token: owner.token });
      expect(ownerLeaves.status).toBe(409);
      expect(ownerLeaves.body['code']).toBe('INVALID_STATE');

      expect((await hub.request('DELETE', path(member.id), { token: member.token })).status).toBe(204);
      expect(await homeIds(member)).not.toContain(`${id}:member`);
      expect((await hub.request('GET', `/v1/homes/${id}`, { token: member.token })).status).toBe(404);

      expect((await hub.request('DELETE', path(stranger.id), { token: owner.token })).status).toBe(204);
      expect((await hub.request('DELETE', path(stranger.id), { token: owner.token })).status).toBe(404);

      expect(access.events).toEqual([[member.id], [stranger.id], [member.id], [stranger.id]]);
    } finally {
      access.stop();
    }
  });

  it('keeps room names unique per home ignoring case, and renames and deletes rooms', async () => {
    const id = await createHome(hub, owner.token);
    const other = await createHome(hub, owner.token, 'Other');
    const kitchen = await createRoom(hub, owner.token, id, 'Küche');
    await createRoom(hub, owner.token, other, 'Küche');
    const bedroom = await createRoom(hub, owner.token, id, 'Bedroom');
    const rooms = `/v1/homes/${id}/rooms`;

    for (const name of ['KÜCHE', ' küche ', 'bedroom']) {
      const dup = await hub.request('POST', rooms, { token: owner.token, body: { name } });
      expect(dup.status, name).toBe(409);
      expect(dup.body.errors).toEqual([{ path: '/name', message: expect.any(String) }]);
    }
    const clash = await hub.request('PATCH', `${rooms}/${bedroom}`, {
      token: owner.token,
      body: { name: 'KÜCHE' },
    });
    expect(clash.status).toBe(409);
    const recase = await hub.request('PATCH', `${rooms}/${kitchen}`, {
      token: owner.token,
      body: { name: 'KÜCHE' },
    });
    expect(recase.status, recase.text).toBe(200);
    expect(recase.body).toEqual({ id: kitchen, name: 'KÜCHE' });

    // A room id of another home is not found through this one.
    const otherRoom = await createRoom(hub, owner.token, other, 'Hall');
    expect((await hub.request('DELETE', `${rooms}/${otherRoom}`, { token: owner.token })).status).toBe(404);
    expect((await hub.request('DELETE', `${rooms}/${bedroom}`, { token: owner.token })).status).toBe(204);
    expect((await hub.request('DELETE', `${rooms}/${bedroom}`, { token: owner.token })).status).toBe(404);
    const left = await hub.request('GET', `/v1/homes/${id}`, { token: owner.token });
    expect(left.body['rooms']).toEqual([{ id: kitchen, name: 'KÜCHE' }]);
  });

  it(`refuses room ${HOME_LIMITS.roomsPerHome + 1} of a home`, async () => {
    const id = await createHome(hub, owner.token);
    for (let i = 0; i < HOME_LIMITS.roomsPerHome; i++) await hub.homes.addRoom(owner.id, id, `Room ${i}`);
    const res = await hub.request('POST', `/v1/homes/${id}/rooms`, {
      token: owner.token,
      body: { name: 'One more' },
    });
    expect(res.status).toBe(409);
    expect(res.body['code']).toBe('INVALID_STATE');
  });

  it('deletes a home with its rooms and members; its members lose it at once', async () => {
    const id = await createHome(hub, owner.token, 'Doomed');
    await createRoom(hub, owner.token, id, 'Attic');
    await hub.homes.addMember(owner.id, id, member.email);
    const access = recordAccess(hub);
    try {
      expect((await hub.request('DELETE', `/v1/homes/${id}`, { token: member.token })).status).toBe(403);
      expect((await hub.request('DELETE', `/v1/homes/${id}`, { token: owner.token })).status).toBe(204);
      expect(access.events).toEqual([[owner.id, member.id].sort()]);
    } finally {
      access.stop();
    }
    expect((await hub.request('GET', `/v1/homes/${id}`, { token: owner.token })).status).toBe(404);
    expect(await homeIds(member)).not.toContain(`${id}:member`);
    const rows = await hub.store.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM rooms WHERE home_id = ${id}`,
    );
    expect(rows?.n).toBe(0);
  });

  it('a deleted account leaves every home it is in, past one page of homes', async () => {
    const leaving = await newUser(hub);
    // More homes than one page of the listing (500): account deletion must walk them all.
    for (let i = 0; i < 520; i++) await hub.homes.create(leaving.id, `Home ${i}`);
    const shared = await createHome(hub, owner.token, 'Shared');
    await hub.homes.addMember(owner.id, shared, leaving.email);

    const deleted = await hub.request('DELETE', '/v1/me', {
      token: leaving.token,
      body: { password: leaving.password },
    });
    expect(deleted.status, deleted.text).toBe(200);
    const homes = await hub.store.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM homes WHERE owner_id = ${leaving.id}`,
    );
    const memberships = await hub.store.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM home_members WHERE user_id = ${leaving.id}`,
    );
    expect([homes?.n, memberships?.n]).toEqual([0, 0]);
    const home = await hub.request('GET', `/v1/homes/${shared}`, { token: owner.token });
    expect((home.body['members'] as Array<{ userId: string }>).map((m) => m.userId)).toEqual([owner.id]);
  });
});
