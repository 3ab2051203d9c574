import { bool, list, num, oneOf, record, str } from '../api/decode.js';
import type { Http } from '../api/http.js';

const enc = encodeURIComponent;
export const POST_STATUSES = ['open', 'planned', 'in-beta', 'shipped', 'declined', 'duplicate'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];
/** Statuses a moderator sets (duplicate comes from a merge). */
export const SETTABLE_STATUSES = ['open', 'planned', 'in-beta', 'shipped', 'declined'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

export const STATUS_LABEL: Record<PostStatus, string> = {
  open: 'open',
  planned: 'planned',
  'in-beta': 'in beta',
  shipped: 'shipped',
  declined: 'declined',
  duplicate: 'duplicate',
};

/** A post as moderators read it (docs/community.md). */
export interface ConsolePost {
  readonly id: string;
  readonly modelId: string;
  readonly kind: 'idea' | 'bug';
  readonly title: string;
  readonly body: string;
  readonly status: PostStatus;
  readonly locked: boolean;
  readonly hidden: { readonly reason: string; readonly at: string } | null;
  readonly votes: { readonly total: number; readonly verified: number; readonly last7Days: number };
  readonly createdAt: string;
}

export interface QueuedPost {
  readonly post: ConsolePost;
  readonly reports: {
    readonly open: number;
    readonly lastAt: string;
    readonly reasons: ReadonlyArray<{ readonly reason: string; readonly at: string }>;
  };
}

/** A firmware release (package) of a model, to link posts to. */
export interface Release {
  readonly id: string;
  readonly version: string;
  readonly state: string;
  readonly channel: string;
}

export interface ReleaseLink {
  readonly releaseId: string;
  readonly version: string;
}

function readPost(value: unknown, path = ''): ConsolePost {
  const o = record(value, path);
  const votes = record(o['votes'], `${path}/votes`);
  const hidden = o['hidden'] === null ? null : record(o['hidden'], `${path}/hidden`);
  return {
    id: str(o['id'], `${path}/id`),
    modelId: str(o['modelId'], `${path}/modelId`),
    kind: oneOf(o['kind'], `${path}/kind`, ['idea', 'bug'] as const),
    title: str(o['title'], `${path}/title`),
    body: str(o['body'], `${path}/body`),
    status: oneOf(o['status'], `${path}/status`, POST_STATUSES),
    locked: bool(o['locked'], `${path}/locked`),
    hidden:
      hidden === null
        ? null
        : {
            reason: str(hidden['reason'], `${path}/hidden/reason`),
            at: str(hidden['at'], `${path}/hidden/at`),
          },
    votes: {
      total: num(votes['total'], `${path}/votes/total`),
      verified: num(votes['verified'], `${path}/votes/verified`),
      last7Days: num(votes['last7Days'], `${path}/votes/last7Days`),
    },
    createdAt: str(o['createdAt'], `${path}/createdAt`),
  };
}

function readQueued(value: unknown, path: string): QueuedPost {
  const o = record(value, path);
  const r = record(o['reports'], `${path}/reports`);
  return {
    post: readPost(o['post'], `${path}/post`),
    reports: {
      open: num(r['open'], `${path}/reports/open`),
      lastAt: str(r['lastAt'], `${path}/reports/lastAt`),
      reasons: list(r['reasons'], `${path}/reports/reasons`, (x, p) => {
        const reason = record(x, p);
        return { reason: str(reason['reason'], `${p}/reason`), at: str(reason['at'], `${p}/at`) };
      }),
    },
  };
}

/** Posts on the partner's models (the operator: every model), moderation and release links. */
export class CommunityConsoleApi {
  readonly #http: Http;

  constructor(http: Http) {
    this.#http = http;
  }

  /** The first 100 posts, ranked (`top`: verified votes) or newest; `hidden` for the hidden ones only. */
  async posts(q: {
    modelId?: string;
    sort: 'top' | 'trending' | 'new';
    hidden?: boolean;
  }): Promise<ConsolePost[]> {
    const query = `sort=${q.sort}&limit=100${q.hidden === undefined ? '' : `&hidden=${q.hidden}`}`;
    const base = q.modelId === undefined ? '/v1/posts' : `/v1/models/${enc(q.modelId)}/posts`;
    const page = record(await this.#http.get(`${base}?${query}`));
    return list(page['items'], '/items', readPost);
  }

  async queue(): Promise<QueuedPost[]> {
    const page = record(await this.#http.get('/v1/community/reports?limit=100'));
    return list(page['items'], '/items', readQueued);
  }

  async setStatus(postId: string, status: SettableStatus, note: string): Promise<ConsolePost> {
    return readPost(
      await this.#http.put(`/v1/posts/${enc(postId)}/status`, { status, ...(note ? { note } : {}) }),
    );
  }

  /** An official answer: the author is told. */
  async reply(postId: string, body: string): Promise<void> {
    await this.#http.post(`/v1/posts/${enc(postId)}/comments`, { body });
  }

  async hide(postId: string, reason: string): Promise<void> {
    await this.#http.put(`/v1/posts/${enc(postId)}/hidden`, { reason });
  }

  async restore(postId: string, reason: string): Promise<void> {
    await this.#http.delete(`/v1/posts/${enc(postId)}/hidden${reason ? `?reason=${enc(reason)}` : ''}`);
  }

  async dismiss(postId: string, reason: string): Promise<number> {
    const o = record(await this.#http.post(`/v1/posts/${enc(postId)}/reports/dismiss`, { reason }));
    return num(o['dismissed'], '/dismissed');
  }

  /** The model's firmware releases that are not withdrawn, newest first. */
  async releases(modelId: string): Promise<Release[]> {
    const page = record(await this.#http.get(`/v1/firmware/packages?modelId=${enc(modelId)}&limit=100`));
    return list(page['items'], '/items', (v, p) => {
      const o = record(v, p);
      return {
        id: str(o['id'], `${p}/id`),
        version: str(o['version'], `${p}/version`),
        state: str(o['state'], `${p}/state`),
        channel: str(o['channel'], `${p}/channel`),
      };
    }).filter((r) => r.state !== 'withdrawn');
  }

  async links(postId: string): Promise<ReleaseLink[]> {
    const o = record(await this.#http.get(`/v1/posts/${enc(postId)}/releases`));
    return list(o['items'], '/items', (v, p) => {
      const l = record(v, p);
      return { releaseId: str(l['releaseId'], `${p}/releaseId`), version: str(l['version'], `${p}/version`) };
    });
  }

  /** "This release addresses the post": an open post becomes planned, and moves on with the release. */
  async link(releaseId: string, postId: string): Promise<void> {
    await this.#http.put(`/v1/community/releases/${enc(releaseId)}/posts`, { postIds: [postId] });
  }
}
