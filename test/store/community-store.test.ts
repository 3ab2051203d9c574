/**
 * The community store on whichever engine the run uses (`npm test`: SQLite; `npm run
 * test:postgres`: PostgreSQL): votes once per user under concurrency, merges without double
 * counting, ranking order and once-only notices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as loop from '../../src/community/store-loop.js';
import * as posts from '../../src/community/store-posts.js';
import * as votes from '../../src/community/store-votes.js';
import type { Engine } from '../../src/store/engine.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const T = 1_700_000_000_000;
const verified = { verified: true, deviceId: 'd1', ownedSince: T - 40 * 86_400_000 };

async function addUsers(db: Engine, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `cu${i}`);
  for (const id of ids) {
    await db.run(
      sql`INSERT INTO users (id, email, password_hash, created_at) VALUES (${id}, ${`${id}@example.com`}, 'x', ${T})`,
    );
  }
  return ids;
}

async function addPost(db: Engine, id: string, at = T): Promise<void> {
  await posts.insertPost(db, {
    id,
    model_id: 'acme.light.bulb1',
    partner_id: 'p1',
    author_id: 'u1',
    kind: 'idea',
    title: id,
    body: 'b',
    attachment: null,
    attached_device_id: null,
    created_at: at,
  });
}

describe('community store', () => {
  let t: TestEngine;
  let db: Engine;
  let users: string[];
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
    users = await addUsers(db, 120);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps one vote per user per post under 100 concurrent inserts', async () => {
    await addPost(db, 'post_a');
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        db.transaction((tx) => votes.insertVote(tx, 'post_a', 'cu0', T, verified)),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const row = await posts.findPost(db, 'post_a', T - 1);
    expect(row).toMatchObject({ votes: 1, verified_votes: 1, trending_votes: 1, locked: false });
  });

  it('merges votes without counting a voter of both twice, keeping the earlier vote', async () => {
    await addPost(db, 'post_from');
    await addPost(db, 'post_into');
    for (const u of users.slice(0, 10)) await votes.insertVote(db, 'post_from', u, T + 5, verified);
    for (const u of users.slice(5, 15)) await votes.insertVote(db, 'post_into', u, T + 9, verified);
    const moved = await db.transaction((tx) => votes.moveVotes(tx, 'post_from', 'post_into'));
    expect(moved).toBe(5);
    expect(await posts.findPost(db, 'post_into', 0)).toMatchObject({ votes: 15 });
    expect(await posts.findPost(db, 'post_from', 0)).toMatchObject({ votes: 0 });
    expect((await votes.findVote(db, 'post_into', users[7]!))?.created_at).toBe(T + 5);
    expect((await votes.findVote(db, 'post_into', users[12]!))?.created_at).toBe(T + 9);
  });

  it('re-verifies a voter, and ranks by verified votes then trending', async () => {
    const changed = await votes.reverify(db, users[6]!, 'acme.light.bulb1', {
      verified: false,
      deviceId: null,
      ownedSince: null,
    });
    expect(changed).toBe(1);
    expect(
      await votes.reverify(db, users[6]!, 'acme.light.bulb1', {
        verified: false,
        deviceId: null,
        ownedSince: null,
      }),
    ).toBe(0);
    expect(await posts.findPost(db, 'post_into', 0)).toMatchObject({ votes: 15, verified_votes: 14 });
    const top = await posts.listPosts(db, {
      includeHidden: false,
      sort: 'top',
      trendingSince: T + 6,
      after: undefined,
      limit: 10,
    });
    expect(top.map((p) => [p.id, p.verified_votes])).toEqual([
      ['post_into', 14],
      ['post_a', 1],
      ['post_from', 0],
    ]);
    const firstPage = top.slice(0, 1);
    const key = posts.postKey('top', firstPage[0]!);
    const rest = await posts.listPosts(db, {
      includeHidden: false,
      sort: 'top',
      trendingSince: 0,
      after: key,
      limit: 10,
    });
    expect(rest.map((p) => p.id)).toEqual(['post_a', 'post_from']);
    const trending = await posts.listPosts(db, {
      includeHidden: false,
      sort: 'trending',
      trendingSince: T + 6,
      after: undefined,
      limit: 10,
    });
    // Trending counts votes from T+6 on: the moved votes and those of voters of both (kept at
    // their earlier T+5) do not, leaving cu10..cu14.
    expect(trending[0]).toMatchObject({ id: 'post_into', trending_votes: 5 });
    expect(await votes.tenureCounts(db, 'post_into', T)).toEqual({
      under_30_days: 0,
      days_30_to_365: 14,
      over_365_days: 0,
    });
  });

  it('puts a notice in an inbox once per dedup key, and links releases once', async () => {
    const row = {
      user_id: 'u1',
      dedup_key: 'shipped:post_a',
      kind: 'shipped',
      post_id: 'post_a',
      body: '{}',
      created_at: T,
    };
    expect(await loop.insertNotification(db, { id: 'ntf_1', ...row })).toBe(true);
    expect(await loop.insertNotification(db, { id: 'ntf_2', ...row })).toBe(false);
    expect(await loop.countUnread(db, 'u1')).toBe(1);
    const link = {
      post_id: 'post_a',
      release_id: 'r1',
      model_id: 'acme.light.bulb1',
      version: '2.0.0',
      stage: 'linked' as const,
      linked_at: T,
      linked_by: 'partner:p1',
    };
    expect(await loop.insertLink(db, link)).toBe(true);
    expect(await loop.insertLink(db, link)).toBe(false);
    expect(await loop.setStage(db, 'r1', 'stable')).toBe(1);
    expect(await loop.stableVersions(db)).toEqual(['2.0.0']);
    expect(await loop.votersReached(db, 'd1', '2.0.0')).toEqual([
      { post_id: 'post_a', user_id: 'cu0', release_id: 'r1' },
    ]);
  });
});
