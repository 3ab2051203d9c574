import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommunity } from '../../src/cli/community.js';
import { UsageError } from '../../src/cli/flags.js';
import { type CliResult, runCli } from '../support/cli.js';
import { ADMIN_TOKEN, startHub, type TestHub, tempDir } from '../support/hub.js';
import { createPost, type Maker, makerWithOwners, vote } from './community-support.js';

describe('ecohub community (moderation and export from the command line)', () => {
  let hub: TestHub;
  let acme: Maker;
  let other: Maker;
  const posts: string[] = [];
  let otherPost = '';
  beforeAll(async () => {
    hub = await startHub();
    acme = await makerWithOwners(hub, 2);
    other = await makerWithOwners(hub, 1);
    const [a, b] = acme.owners;
    for (const title of ['Sunrise mode', 'Flickers at 10%', '=HYPERLINK("x")', 'Timer, with "quotes"']) {
      posts.push(
        String((await createPost(hub, a!.token, acme.modelId, { kind: 'idea', title, body: 'x' }))['id']),
      );
    }
    await vote(hub, b!.token, posts[0]!);
    otherPost = String((await createPost(hub, other.owners[0]!.token, other.modelId))['id']);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
  });

  /** The built binary: each start takes seconds on a loaded machine, so only the main paths spawn it. */
  const spawned = (args: string[], key: string) =>
    runCli(['community', ...args, '--hub', hub.httpUrl], { ECOHUB_API_KEY: key }, 60_000);
  /** The same command in this process, its errors mapped to exit codes as main.ts maps them. */
  const cli = async (args: string[], key: string): Promise<CliResult> => {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (t: string) => {
        stdout += t;
      },
      stderr: (t: string) => {
        stderr += t;
      },
      env: { ECOHUB_API_KEY: key },
      isTTY: false,
    };
    try {
      const code = await runCommunity([...args, '--hub', hub.httpUrl], io);
      return { code, stdout, stderr };
    } catch (err) {
      return { code: err instanceof UsageError ? 2 : 1, stdout, stderr: `${stderr}ecohub: ${String(err)}\n` };
    }
  };

  it('names the argument and the rule on bad input (exit 2) and needs a credential', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['hide', 'post_1', '--reason', 'spam'],
        /POST must be a post id \(post_ and 32 hexadecimal digits\), got 'post_1'/,
      ],
      [['hide', posts[0]!], /--reason is required/],
      [['hide', posts[0]!, '--reason', '   '], /--reason must be 1 to 500 characters/],
      [
        ['status', posts[0]!, '--status', 'done'],
        /--status must be one of open, planned, in-beta, shipped, declined, got 'done'/,
      ],
      [['export', '--format', 'xml'], /--format must be jsonl or csv, got 'xml'/],
      [['export', '--out', join(tempDir(), 'x.txt')], /--out must end in .jsonl or .csv/],
      [['queue', '--limit', '0'], /--limit must be a whole number from 1 to 10000, got '0'/],
      [['queue', '--colour'], /Unknown option '--colour'/],
      [['frobnicate'], /unknown community command 'frobnicate'/],
    ];
    // Spawned at once: each start of the CLI takes seconds on a loaded machine.
    const results = await Promise.all(cases.map(([args]) => cli(args, acme.partner.key)));
    cases.forEach(([args, message], i) => {
      expect(results[i]!.code, args.join(' ')).toBe(2);
      expect(results[i]!.stderr).toMatch(message);
    });
    // The binary: exit 2, the message, and where to read the usage.
    const bad = await spawned(['hide', 'post_1', '--reason', 'spam'], acme.partner.key);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "ecohub: POST must be a post id (post_ and 32 hexadecimal digits), got 'post_1'\n" +
        "Run 'ecohub community --help' for usage.\n",
    );
    const anonymous = await cli(['queue'], '');
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toContain('--api-key (or ECOHUB_API_KEY) is required');
  }, 60_000);

  it('lists the queue, hides with a reason, restores, locks, dismisses; the hub refuses another partner (exit 1)', async () => {
    const [, b] = acme.owners;
    for (const id of [posts[1]!, posts[2]!]) {
      const res = await hub.request('POST', `/v1/posts/${id}/reports`, {
        token: b!.token,
        body: { reason: 'Looks like spam' },
      });
      expect(res.status, res.text).toBe(200);
    }
    const queue = await spawned(['queue'], acme.partner.key);
    const json = await cli(['queue', '--json'], ADMIN_TOKEN);
    expect(queue.code, queue.stderr).toBe(0);
    expect(queue.stdout.split('\n')[0]).toMatch(
      /^POST\s+MODEL\s+REPORTS\s+LAST REPORT\s+STATUS\s+TITLE\s+REASONS$/,
    );
    expect(queue.stdout).toContain(posts[1]);
    expect(queue.stdout).toContain('Looks like spam');
    const rows = JSON.parse(json.stdout) as Array<{ post: { id: string }; reports: { open: number } }>;
    expect(rows.map((r) => r.post.id).sort()).toEqual([posts[1]!, posts[2]!].sort());

    const hidden = await spawned(['hide', posts[1]!, '--reason', 'Spam link'], acme.partner.key);
    const dismissed = await cli(['dismiss', posts[2]!, '--reason', 'Only a formula'], ADMIN_TOKEN);
    expect(hidden.code, hidden.stderr).toBe(0);
    expect(hidden.stdout).toBe(`post ${posts[1]} hidden: Spam link\n`);
    expect(dismissed.stdout).toContain('1 open report(s) dismissed');
    expect(JSON.parse((await cli(['queue', '--json'], ADMIN_TOKEN)).stdout)).toEqual([]);

    const hiddenList = await cli(['posts', '--hidden', '--json'], acme.partner.key);
    expect((JSON.parse(hiddenList.stdout) as Array<{ id: string }>).map((p) => p.id)).toEqual([posts[1]]);
    const [restored, locked, planned] = await Promise.all([
      cli(['restore', posts[1]!, '--reason', 'Appeal accepted'], ADMIN_TOKEN),
      cli(['lock', posts[3]!, '--reason', 'Heated thread'], acme.partner.key),
      cli(['status', posts[0]!, '--status', 'planned', '--note', 'In 2.1'], acme.partner.key),
    ]);
    const foreign = await spawned(['hide', otherPost, '--reason', 'not mine'], acme.partner.key);
    expect(restored.code, restored.stderr).toBe(0);
    expect(locked.stdout).toContain('locked: Heated thread');
    const history = await hub.request('GET', `/v1/posts/${posts[1]}/history`, { token: ADMIN_TOKEN });
    expect(history.body['items']).toContainEqual(
      expect.objectContaining({ kind: 'shown', note: 'Appeal accepted', actor: 'operator' }),
    );
    const lockedPost = await hub.request('GET', `/v1/posts/${posts[3]}`, { token: b!.token });
    expect(lockedPost.body['locked']).toBe(true);

    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('is planned');

    // Another partner's post: the hub says not found, the CLI exits 1 with the hub's code.
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/\(404\) NOT_FOUND: /);
    expect(foreign.stdout + foreign.stderr).not.toContain(acme.partner.key);
  }, 60_000);

  it('exports the partner’s posts with votes and statuses as JSON lines and CSV, paged, with progress', async () => {
    const out = join(tempDir(), 'posts.csv');
    const res = await spawned(['export', '--page-size', '2'], acme.partner.key);
    const csv = await spawned(
      ['export', '--out', out, '--model', acme.modelId, '--status', 'open'],
      acme.partner.key,
    );
    const [all, foreign] = await Promise.all([
      cli(['export'], ADMIN_TOKEN),
      cli(['export', '--model', other.modelId], acme.partner.key),
    ]);
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['id']).sort()).toEqual([...posts].sort());
    expect(lines.find((l) => l['id'] === posts[0])).toMatchObject({
      status: 'planned',
      votes: { total: 2, verified: 2 },
    });
    expect(res.stderr).toContain('exported 2 posts (1 pages');
    expect(res.stderr).toContain('exported 4 posts (2 pages');
    expect(res.stderr).toContain('done: 4 posts as jsonl');
    expect(res.stdout).not.toContain(otherPost);

    expect(csv.code, csv.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe(
      'post_id,model_id,kind,status,duplicate_of,title,votes_total,votes_verified,votes_last_7_days,locked,hidden_reason,created_at,updated_at',
    );
    expect(rows).toHaveLength(4);
    // A title a spreadsheet would run is quoted as text; quotes and commas are escaped.
    expect(rows.join('\n')).toContain(`"'=HYPERLINK(""x"")"`);
    expect(rows.join('\n')).toContain('"Timer, with ""quotes"""');
    const again = await cli(['export', '--out', out], acme.partner.key);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; pass --force');

    // The operator exports every model; another partner's model is not found for a partner.
    expect(all.stdout).toContain(otherPost);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('0 posts were exported before the failure');
  }, 60_000);
});
