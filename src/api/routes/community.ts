import { Type } from '@sinclair/typebox';
import { digestCsv } from '../../community/digest.js';
import type { Community } from '../../community/index.js';
import { callerOf, userIdOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { anyone, moderators, NoContent, tags, users } from './community-access.js';
import { communityModerationRoutes } from './community-moderation.js';
import {
  AttachmentSchema,
  CommentBody,
  CommentSchema,
  DigestQuery,
  DigestSchema,
  LinkBody,
  LinkSchema,
  ModelParams,
  NewPostBody,
  NotificationParams,
  NotificationSchema,
  PostDetailSchema,
  PostEventSchema,
  PostListQuery,
  PostParams,
  PostSchema,
  ReleaseParams,
} from './community-schemas.js';
import { communityTestingRoutes } from './community-testing.js';

const POST_KEY = ['number', 'number', 'string'] as const;

/** Co-creation: posts, votes, comments, moderation, release links, inboxes (docs/community.md). */
export function communityRoutes(app: App, community: Community): void {
  const { posts, comments, releases, inbox } = community;
  communityModerationRoutes(app, community);
  communityTestingRoutes(app, community);

  app.post(
    '/v1/models/:modelId/posts',
    {
      config: users,
      schema: {
        tags,
        summary: 'Post an idea or a bug about a model you own or were shared (your vote is counted)',
        description:
          'The registry must record a device of the model as yours or shared with you (403 NOT_AN_OWNER). ' +
          'A bug may attach one of those devices’ recent state and events with `attach.consent: true`.',
        params: ModelParams,
        body: NewPostBody,
        response: responses({ 201: PostDetailSchema }, 400, 401, 403, 404, 429),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await posts.create(callerOf(request), request.params.modelId, request.body)),
  );

  app.get(
    '/v1/models/:modelId/posts',
    {
      config: anyone,
      schema: {
        tags,
        summary:
          'A model’s posts, ranked by verified votes (top), votes of the last 7 days (trending) or newest',
        params: ModelParams,
        querystring: Type.Object({ ...PageQuery, ...PostListQuery }),
        response: responses({ 200: PageOf(PostSchema) }, 400, 401, 403, 404),
      },
    },
    async (request) => {
      const { sort = 'top', status, kind, hidden } = request.query;
      return pageResponse(
        await posts.list(
          callerOf(request),
          { modelId: request.params.modelId },
          { sort, status, kind, hidden },
          pageRequest(request.query, POST_KEY),
        ),
      );
    },
  );

  app.get(
    '/v1/posts',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Posts about the partner’s models (the operator: every model), hidden ones included',
        querystring: Type.Object({ ...PageQuery, ...PostListQuery }),
        response: responses({ 200: PageOf(PostSchema) }, 400, 401, 403),
      },
    },
    async (request) => {
      const { sort = 'new', status, kind, hidden } = request.query;
      return pageResponse(
        await posts.list(
          callerOf(request),
          {},
          { sort, status, kind, hidden },
          pageRequest(request.query, POST_KEY),
        ),
      );
    },
  );

  app.get(
    '/v1/posts/:postId',
    {
      config: anyone,
      schema: {
        tags,
        summary: 'A post with its ranking: verified votes by ownership tenure and device activity',
        params: PostParams,
        response: responses({ 200: PostDetailSchema }, 401, 403, 404),
      },
    },
    async (request) => posts.detail(callerOf(request), request.params.postId),
  );

  app.get(
    '/v1/posts/:postId/attachment',
    {
      config: anyone,
      schema: {
        tags,
        summary: 'The device state and events a bug carries (its author, the model’s partner, the operator)',
        params: PostParams,
        response: responses({ 200: AttachmentSchema }, 401, 403, 404),
      },
    },
    async (request) => posts.attachment(callerOf(request), request.params.postId),
  );

  app.put(
    '/v1/posts/:postId/vote',
    {
      config: users,
      schema: {
        tags,
        summary: 'Vote for a post (one vote per user; voting again changes nothing)',
        params: PostParams,
        response: responses({ 200: PostDetailSchema }, 401, 403, 404, 409, 429),
      },
    },
    async (request) => (await posts.vote(callerOf(request), request.params.postId)).post,
  );

  app.delete(
    '/v1/posts/:postId/vote',
    {
      config: users,
      schema: {
        tags,
        summary: 'Withdraw your vote',
        params: PostParams,
        response: responses({ 200: PostDetailSchema }, 401, 403, 404, 409),
      },
    },
    async (request) => posts.withdraw(callerOf(request), request.params.postId),
  );

  app.post(
    '/v1/posts/:postId/comments',
    {
      config: anyone,
      schema: {
        tags,
        summary: 'Comment (owners of the model), or answer officially (its partner, the operator)',
        params: PostParams,
        body: CommentBody,
        response: responses({ 201: CommentSchema }, 400, 401, 403, 404, 409, 429),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await comments.add(callerOf(request), request.params.postId, request.body.body)),
  );

  app.get(
    '/v1/posts/:postId/comments',
    {
      config: anyone,
      schema: {
        tags,
        summary: 'A post’s comments, oldest first',
        params: PostParams,
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(CommentSchema) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      pageResponse(
        await comments.list(
          callerOf(request),
          request.params.postId,
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/posts/:postId/history',
    {
      config: anyone,
      schema: {
        tags,
        summary: 'What happened to a post: status changes, moderation, merges, release links',
        params: PostParams,
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(PostEventSchema) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      pageResponse(
        await comments.history(
          callerOf(request),
          request.params.postId,
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/posts/:postId/releases',
    {
      config: anyone,
      schema: {
        tags,
        summary: 'The firmware releases linked to a post, in the order they were linked',
        params: PostParams,
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(LinkSchema) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      pageResponse(
        await releases.linksOfPost(
          callerOf(request),
          request.params.postId,
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.put(
    '/v1/community/releases/:releaseId/posts',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Link posts to a firmware release: "addresses #12, #40" (open posts become planned)',
        description:
          'The release is a firmware package (`/v1/firmware/packages/{id}`) of the caller; `modelId` and ' +
          "`version` may be left out (given, they must be the package's). " +
          'When the release enters beta, voters who own the model are invited to the beta channel; when it is ' +
          'on stable the posts ship, and each voter is told again when their device reports running `version`.',
        params: ReleaseParams,
        body: LinkBody,
        response: responses({ 200: Type.Object({ items: Type.Array(LinkSchema) }) }, 400, 401, 403, 404, 409),
      },
    },
    async (request) => ({
      items: await releases.link(callerOf(request), request.params.releaseId, request.body),
    }),
  );

  app.get(
    '/v1/me/notifications',
    {
      config: users,
      schema: {
        tags,
        summary: 'Your inbox, newest first: status changes, beta invitations, releases that reached you',
        description: 'The same notices arrive on MQTT at app/{uid}/notifications as they happen.',
        querystring: Type.Object({ ...PageQuery, unread: Type.Optional(Type.Boolean()) }),
        response: responses({ 200: PageOf(NotificationSchema, { unread: Type.Integer() }) }, 400, 401, 403),
      },
    },
    async (request) => {
      const page = await inbox.list(
        userIdOf(request),
        request.query.unread ?? false,
        pageRequest(request.query, ['number', 'string']),
      );
      return { ...pageResponse(page), unread: page.unread };
    },
  );

  app.post(
    '/v1/me/notifications/:notificationId/read',
    {
      config: users,
      schema: {
        tags,
        summary: 'Mark a notice read',
        params: NotificationParams,
        response: responses(NoContent, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await inbox.markRead(userIdOf(request), request.params.notificationId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/models/:modelId/digest',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'A model’s weekly digest: new posts, votes, status changes, release links (JSON or CSV)',
        params: ModelParams,
        querystring: DigestQuery,
        response: responses({ 200: DigestSchema }, 400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      const week =
        request.query.week === undefined ? undefined : Date.parse(`${request.query.week}T00:00:00Z`);
      const digest = await community.digest(callerOf(request), request.params.modelId, week);
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .serializer((x: unknown) => String(x))
          .send(digestCsv(digest));
      }
      return digest;
    },
  );
}
