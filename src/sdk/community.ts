import type { Page } from './types.js';

/** A post as the hub answers it (docs/community.md). */
export interface CommunityPost {
  readonly id: string;
  readonly modelId: string;
  readonly kind: 'idea' | 'bug';
  readonly title: string;
  readonly body: string;
  readonly status: 'open' | 'planned' | 'in-beta' | 'shipped' | 'declined' | 'duplicate';
  readonly duplicateOf: string | null;
  readonly locked: boolean;
  readonly hidden: { readonly reason: string; readonly at: string } | null;
  readonly votes: { readonly total: number; readonly verified: number; readonly last7Days: number };
  readonly voted: boolean | null;
  readonly mine: boolean;
  readonly hasAttachment: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface CommunityComment {
  readonly id: string;
  readonly postId: string;
  readonly authorKind: 'user' | 'partner' | 'operator';
  readonly mine: boolean;
  readonly body: string;
  readonly firmwareVersion: string | null;
  readonly createdAt: string;
}

/** A notice from the inbox, or as it arrives on app/{uid}/notifications. */
export interface CommunityNotice {
  readonly id: string;
  readonly kind: 'status' | 'beta-invitation' | 'shipped' | 'answered';
  readonly postId: string | null;
  readonly title: string;
  readonly message: string;
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
  readonly readAt: string | null;
}

type Rest = <T>(method: string, path: string, body?: unknown) => Promise<T>;

const enc = encodeURIComponent;

function query(q: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(q)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${enc(String(v))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Owners' posts, votes, comments and the inbox (`client.community`). */
export class CommunityApi {
  readonly #rest: Rest;

  constructor(rest: Rest) {
    this.#rest = rest;
  }

  /** A model's posts: `top` (verified votes), `trending` (last 7 days) or `new`. */
  posts(
    modelId: string,
    q: {
      sort?: 'top' | 'trending' | 'new';
      status?: CommunityPost['status'];
      cursor?: string;
      limit?: number;
    } = {},
  ): Promise<Page<CommunityPost>> {
    return this.#rest('GET', `/v1/models/${enc(modelId)}/posts${query(q)}`);
  }

  post(postId: string): Promise<CommunityPost> {
    return this.#rest('GET', `/v1/posts/${enc(postId)}`);
  }

  /** Posts an idea or a bug about a model you own or were shared; `attach` needs `consent: true`. */
  createPost(
    modelId: string,
    input: {
      kind: 'idea' | 'bug';
      title: string;
      body: string;
      attach?: { deviceId: string; consent: boolean };
    },
  ): Promise<CommunityPost> {
    return this.#rest('POST', `/v1/models/${enc(modelId)}/posts`, input);
  }

  vote(postId: string): Promise<CommunityPost> {
    return this.#rest('PUT', `/v1/posts/${enc(postId)}/vote`);
  }

  withdrawVote(postId: string): Promise<CommunityPost> {
    return this.#rest('DELETE', `/v1/posts/${enc(postId)}/vote`);
  }

  comment(postId: string, body: string): Promise<CommunityComment> {
    return this.#rest('POST', `/v1/posts/${enc(postId)}/comments`, { body });
  }

  comments(postId: string, q: { cursor?: string; limit?: number } = {}): Promise<Page<CommunityComment>> {
    return this.#rest('GET', `/v1/posts/${enc(postId)}/comments${query(q)}`);
  }

  /** Reports a post to its moderators; reporting again replaces your reason. */
  report(postId: string, reason: string): Promise<{ open: number }> {
    return this.#rest('POST', `/v1/posts/${enc(postId)}/reports`, { reason });
  }

  /** Your inbox, newest first, with the unread count. */
  inbox(
    q: { unread?: boolean; cursor?: string; limit?: number } = {},
  ): Promise<Page<CommunityNotice> & { unread: number }> {
    return this.#rest('GET', `/v1/me/notifications${query(q)}`);
  }

  async markRead(noticeId: string): Promise<void> {
    await this.#rest('POST', `/v1/me/notifications/${enc(noticeId)}/read`);
  }
}
