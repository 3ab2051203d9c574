import { bool, list, num, oneOf, optStr, record, str } from './decode.js';
import type { Http } from './http.js';

const enc = encodeURIComponent;
const STATUSES = ['open', 'planned', 'in-beta', 'shipped', 'declined', 'duplicate'] as const;

export type PostStatus = (typeof STATUSES)[number];
export type PostSort = 'top' | 'trending' | 'new';

export interface Post {
  readonly id: string;
  readonly kind: 'idea' | 'bug';
  readonly title: string;
  readonly body: string;
  readonly status: PostStatus;
  readonly locked: boolean;
  readonly votes: { readonly total: number; readonly verified: number; readonly last7Days: number };
  readonly voted: boolean;
  readonly mine: boolean;
  readonly createdAt: string;
}

export interface Notice {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly message: string;
  readonly createdAt: string;
  readonly readAt: string | null;
}

function readPost(value: unknown, path = ''): Post {
  const o = record(value, path);
  const votes = record(o['votes'], `${path}/votes`);
  return {
    id: str(o['id'], `${path}/id`),
    kind: oneOf(o['kind'], `${path}/kind`, ['idea', 'bug'] as const),
    title: str(o['title'], `${path}/title`),
    body: str(o['body'], `${path}/body`),
    status: oneOf(o['status'], `${path}/status`, STATUSES),
    locked: bool(o['locked'], `${path}/locked`),
    votes: {
      total: num(votes['total'], `${path}/votes/total`),
      verified: num(votes['verified'], `${path}/votes/verified`),
      last7Days: num(votes['last7Days'], `${path}/votes/last7Days`),
    },
    voted: o['voted'] === true,
    mine: bool(o['mine'], `${path}/mine`),
    createdAt: str(o['createdAt'], `${path}/createdAt`),
  };
}

function readNotice(value: unknown, path = ''): Notice {
  const o = record(value, path);
  return {
    id: str(o['id'], `${path}/id`),
    kind: str(o['kind'], `${path}/kind`),
    title: str(o['title'], `${path}/title`),
    message: str(o['message'], `${path}/message`),
    createdAt: str(o['createdAt'], `${path}/createdAt`),
    readAt: optStr(o['readAt'], `${path}/readAt`),
  };
}

/** Owners' posts, votes and the inbox (docs/community.md), typed for the web app. */
export class CommunityWebApi {
  readonly #http: Http;

  constructor(http: Http) {
    this.#http = http;
  }

  /** The first 100 posts of a model in the chosen order. */
  async posts(modelId: string, sort: PostSort): Promise<Post[]> {
    const page = record(await this.#http.get(`/v1/models/${enc(modelId)}/posts?sort=${sort}&limit=100`));
    return list(page['items'], '/items', readPost);
  }

  async create(modelId: string, body: { kind: 'idea' | 'bug'; title: string; body: string }): Promise<Post> {
    return readPost(await this.#http.post(`/v1/models/${enc(modelId)}/posts`, body));
  }

  async vote(postId: string, on: boolean): Promise<Post> {
    const path = `/v1/posts/${enc(postId)}/vote`;
    return readPost(on ? await this.#http.put(path, undefined) : await this.#http.delete(path));
  }

  /** Flags a post for its moderators, with a reason. */
  async report(postId: string, reason: string): Promise<void> {
    await this.#http.post(`/v1/posts/${enc(postId)}/reports`, { reason });
  }

  async inbox(): Promise<{ items: Notice[]; unread: number }> {
    const page = record(await this.#http.get('/v1/me/notifications?limit=50'));
    return { items: list(page['items'], '/items', readNotice), unread: num(page['unread'], '/unread') };
  }

  async markRead(noticeId: string): Promise<void> {
    await this.#http.post(`/v1/me/notifications/${enc(noticeId)}/read`);
  }
}
