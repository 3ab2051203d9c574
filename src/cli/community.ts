import { runCommunityExport } from './community-export.js';
import { type FlagSpec, formatHelp, parseFlags, parsePositiveInt, UsageError } from './flags.js';
import { call, connectionFlags, hubConnection, table } from './hub-api.js';
import type { CliIo } from './io.js';
import { statusFlag, textFlag } from './text-flags.js';

export const POST_STATUSES = ['open', 'planned', 'in-beta', 'shipped', 'declined'] as const;
const LIST_STATUSES = [...POST_STATUSES, 'duplicate'] as const;
const REASON_MAX = 500;

export const communityFlags: readonly FlagSpec[] = [
  ...connectionFlags,
  {
    name: 'reason',
    type: 'string',
    value: 'TEXT',
    help: `Why (1-${REASON_MAX} characters), kept in the history`,
  },
  { name: 'status', type: 'string', value: 'S', help: `A status: ${LIST_STATUSES.join(', ')}` },
  { name: 'note', type: 'string', value: 'TEXT', help: 'status: told to every voter (1-1000 characters)' },
  { name: 'model', type: 'string', value: 'ID', help: 'posts, export: one model only' },
  { name: 'hidden', type: 'boolean', help: 'posts: hidden posts only' },
  { name: 'sort', type: 'string', value: 'S', help: 'posts: top, trending or new', default: 'new' },
  {
    name: 'limit',
    type: 'string',
    value: 'N',
    help: 'queue, posts: rows to print (1-10000)',
    default: '100',
  },
  { name: 'json', type: 'boolean', help: 'queue, posts: print JSON (one array) instead of a table' },
  {
    name: 'format',
    type: 'string',
    value: 'F',
    help: 'export: jsonl or csv (default: from --out, else jsonl)',
  },
  {
    name: 'out',
    type: 'string',
    value: 'FILE',
    help: 'export: write to FILE (.jsonl or .csv) instead of stdout',
  },
  { name: 'force', type: 'boolean', help: 'export: overwrite --out if it exists' },
  {
    name: 'page-size',
    type: 'string',
    value: 'N',
    help: 'export: posts per request (1-1000)',
    default: '1000',
  },
];

export const COMMUNITY_HELP = formatHelp(
  'ecohub community queue|posts|hide|restore|lock|unlock|dismiss|status|export [options]',
  'Moderation and export of owners’ posts (docs/community.md), as the model’s partner (API key) or the\n' +
    'operator (operator token):\n' +
    '  community queue                          reported posts, most reported first, with the reasons\n' +
    '  community posts [--model ID] [--hidden]  posts of your models (the operator: all), newest first\n' +
    '  community hide POST --reason TEXT        hide a post from users (resolves its reports)\n' +
    '  community restore POST [--reason TEXT]   show a hidden post again\n' +
    '  community lock|unlock POST [--reason TEXT]   close or reopen votes and comments\n' +
    '  community dismiss POST --reason TEXT     keep the post, close its open reports\n' +
    '  community status POST --status S [--note TEXT]   planned, in-beta, shipped, declined or open\n' +
    '  community export [--model ID] [--status S] [--format jsonl|csv] [--out FILE]   every post with its\n' +
    '                                           votes and status, paged, progress on stderr',
  communityFlags,
);

/** A post id as the hub issues it, or a UsageError naming the argument. */
function postIdOf(positionals: readonly string[], sub: string): string {
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) {
    throw new UsageError(`${sub} needs exactly one POST id (see ecohub community posts)`);
  }
  if (!/^post_[0-9a-f]{32}$/.test(id)) {
    throw new UsageError(`POST must be a post id (post_ and 32 hexadecimal digits), got '${id}'`);
  }
  return id;
}

interface PostRow {
  id: string;
  modelId: string;
  kind: string;
  status: string;
  title: string;
  locked: boolean;
  hidden: { reason: string } | null;
  votes: { total: number; verified: number; last7Days: number };
  createdAt: string;
}
interface QueuedRow {
  post: PostRow;
  reports: { open: number; lastAt: string; reasons: Array<{ reason: string }> };
}

/** Every item of a list route, page by page, up to `max`. */
async function collect<T>(hub: string, apiKey: string, path: string, max: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const limit = Math.min(1000, max - out.length);
    const page = JSON.parse(
      (await call(hub, apiKey, 'GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`))
        .text,
    ) as { items: T[]; next: string | null };
    out.push(...page.items);
    cursor = page.next;
  } while (cursor !== null && out.length < max);
  return out;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function postsTable(rows: readonly PostRow[]): string {
  return table(
    ['POST', 'MODEL', 'KIND', 'STATUS', 'VOTES', 'VERIFIED', 'STATE', 'TITLE'],
    rows.map((p) => [
      p.id,
      p.modelId,
      p.kind,
      p.status,
      String(p.votes.total),
      String(p.votes.verified),
      p.hidden ? `hidden: ${clip(p.hidden.reason, 30)}` : p.locked ? 'locked' : '-',
      clip(p.title, 50),
    ]),
  );
}

function queueTable(rows: readonly QueuedRow[]): string {
  return table(
    ['POST', 'MODEL', 'REPORTS', 'LAST REPORT', 'STATUS', 'TITLE', 'REASONS'],
    rows.map((q) => [
      q.post.id,
      q.post.modelId,
      String(q.reports.open),
      q.reports.lastAt,
      q.post.status,
      clip(q.post.title, 40),
      clip(q.reports.reasons.map((r) => r.reason).join(' | '), 60),
    ]),
  );
}

export async function runCommunity(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.stdout(COMMUNITY_HELP);
    return sub === undefined ? 2 : 0;
  }
  const { values, positionals } = parseFlags(rest, communityFlags, { positionals: true });
  if (values['help']) {
    io.stdout(COMMUNITY_HELP);
    return 0;
  }
  const { hub, apiKey } = hubConnection(values, io);
  if (!apiKey) throw new UsageError('--api-key (or ECOHUB_API_KEY) is required');
  const enc = encodeURIComponent;
  switch (sub) {
    case 'queue':
    case 'posts': {
      if (positionals.length > 0) throw new UsageError(`${sub} takes no arguments, got '${positionals[0]}'`);
      const max = parsePositiveInt({ value: String(values['limit'] ?? '100'), source: '--limit' }, 10_000);
      let rows: unknown[];
      if (sub === 'queue') {
        rows = await collect<QueuedRow>(hub, apiKey, '/v1/community/reports', max);
        io.stdout(values['json'] ? `${JSON.stringify(rows, null, 2)}\n` : queueTable(rows as QueuedRow[]));
      } else {
        const sort = String(values['sort'] ?? 'new');
        if (!['top', 'trending', 'new'].includes(sort)) {
          throw new UsageError(`--sort must be one of top, trending, new, got '${sort}'`);
        }
        const status = statusFlag(values, LIST_STATUSES);
        const query = new URLSearchParams({ sort });
        if (status !== undefined) query.set('status', status);
        if (values['hidden']) query.set('hidden', 'true');
        const model = textFlag(values, 'model', 128, false);
        const base = model === undefined ? '/v1/posts' : `/v1/models/${enc(model)}/posts`;
        rows = await collect<PostRow>(hub, apiKey, `${base}?${query}`, max);
        io.stdout(values['json'] ? `${JSON.stringify(rows, null, 2)}\n` : postsTable(rows as PostRow[]));
      }
      if (!values['json']) io.stderr(`${rows.length} ${sub === 'queue' ? 'reported posts' : 'posts'}\n`);
      return 0;
    }
    case 'hide': {
      const id = postIdOf(positionals, sub);
      const reason = textFlag(values, 'reason', REASON_MAX, true);
      await call(hub, apiKey, 'PUT', `/v1/posts/${id}/hidden`, { reason });
      io.stdout(`post ${id} hidden: ${reason}\n`);
      return 0;
    }
    case 'restore': {
      const id = postIdOf(positionals, sub);
      const reason = textFlag(values, 'reason', REASON_MAX, false);
      await call(hub, apiKey, 'DELETE', `/v1/posts/${id}/hidden${reason ? `?reason=${enc(reason)}` : ''}`);
      io.stdout(`post ${id} shown again${reason ? `: ${reason}` : ''}\n`);
      return 0;
    }
    case 'lock':
    case 'unlock': {
      const id = postIdOf(positionals, sub);
      const note = textFlag(values, 'reason', REASON_MAX, false);
      await call(hub, apiKey, 'PUT', `/v1/posts/${id}/lock`, {
        locked: sub === 'lock',
        ...(note ? { note } : {}),
      });
      io.stdout(`post ${id} ${sub}ed${note ? `: ${note}` : ''}\n`);
      return 0;
    }
    case 'dismiss': {
      const id = postIdOf(positionals, sub);
      const reason = textFlag(values, 'reason', REASON_MAX, true);
      const { text } = await call(hub, apiKey, 'POST', `/v1/posts/${id}/reports/dismiss`, { reason });
      const { dismissed } = JSON.parse(text) as { dismissed: number };
      io.stdout(`post ${id}: ${dismissed} open report(s) dismissed: ${reason}\n`);
      return 0;
    }
    case 'status': {
      const id = postIdOf(positionals, sub);
      const status = statusFlag(values, POST_STATUSES);
      if (status === undefined) throw new UsageError(`--status is required (${POST_STATUSES.join(', ')})`);
      const note = textFlag(values, 'note', 1000, false);
      const { text } = await call(hub, apiKey, 'PUT', `/v1/posts/${id}/status`, {
        status,
        ...(note ? { note } : {}),
      });
      const post = JSON.parse(text) as PostRow;
      io.stdout(`post ${id} is ${post.status}; its ${post.votes.total} voter(s) are told once\n`);
      return 0;
    }
    case 'export':
      if (positionals.length > 0) throw new UsageError(`export takes no arguments, got '${positionals[0]}'`);
      return runCommunityExport(hub, apiKey, values, io);
    default:
      throw new UsageError(
        `unknown community command '${sub}' (queue, posts, hide, restore, lock, unlock, dismiss, status, export)`,
      );
  }
}
