import { Type } from '@sinclair/typebox';
import type { Community } from '../../community/index.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { moderators, NoContent, tags, users } from './community-access.js';
import {
  CommentParams,
  HideBody,
  LockBody,
  MergeBody,
  PostDetailSchema,
  PostParams,
  QueuedPostSchema,
  ReportBody,
  ShowQuery,
  StatusBody,
} from './community-schemas.js';

/** Moderation by the model's partner and the operator: status, hiding, locking, merging (docs/community.md). */
export function communityModerationRoutes(app: App, community: Community): void {
  const { posts, moderation, reports } = community;

  app.put(
    '/v1/posts/:postId/status',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Set a post’s status (the model’s partner, the operator); every voter is told once',
        params: PostParams,
        body: StatusBody,
        response: responses({ 200: PostDetailSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await moderation.setStatus(
        caller,
        request.params.postId,
        request.body.status,
        request.body.note ?? null,
      );
      return posts.detail(caller, request.params.postId);
    },
  );

  app.put(
    '/v1/posts/:postId/hidden',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Hide a post from users, with a reason (its author still sees it); resolves its reports',
        params: PostParams,
        body: HideBody,
        response: responses(NoContent, 400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await moderation.hide(callerOf(request), request.params.postId, request.body.reason);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/posts/:postId/hidden',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Show a hidden post again (`reason`, optional, is kept in its history)',
        params: PostParams,
        querystring: ShowQuery,
        response: responses(NoContent, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await moderation.show(callerOf(request), request.params.postId, request.query.reason ?? null);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/v1/posts/:postId/lock',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Lock a post (no new votes or comments) or unlock it',
        params: PostParams,
        body: LockBody,
        response: responses(NoContent, 400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await moderation.lock(
        callerOf(request),
        request.params.postId,
        request.body.locked,
        request.body.note ?? null,
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/posts/:postId/merge',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Merge a duplicate into another post of the model: votes move, a voter of both counted once',
        params: PostParams,
        body: MergeBody,
        response: responses(
          { 200: Type.Object({ moved: Type.Integer(), into: PostDetailSchema }) },
          400,
          401,
          403,
          404,
          409,
        ),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const { moved } = await moderation.merge(caller, request.params.postId, request.body.into);
      return { moved, into: await posts.detail(caller, request.body.into) };
    },
  );

  app.put(
    '/v1/comments/:commentId/hidden',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Hide a comment, with a reason',
        params: CommentParams,
        body: HideBody,
        response: responses(NoContent, 400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await moderation.hideComment(callerOf(request), request.params.commentId, request.body.reason);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/comments/:commentId/hidden',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Show a hidden comment again',
        params: CommentParams,
        response: responses(NoContent, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await moderation.hideComment(callerOf(request), request.params.commentId, null);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/posts/:postId/reports',
    {
      config: users,
      schema: {
        tags,
        summary: 'Report a post to its moderators, with a reason (reporting again replaces yours)',
        description:
          'Any user who can read the post may report it; moderators see open reports in the queue ' +
          '(`GET /v1/community/reports`), reporters never named.',
        params: PostParams,
        body: ReportBody,
        response: responses({ 200: Type.Object({ open: Type.Integer() }) }, 400, 401, 403, 404, 409, 429),
      },
    },
    async (request) => reports.report(callerOf(request), request.params.postId, request.body.reason),
  );

  app.get(
    '/v1/community/reports',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'The moderation queue: posts with open reports, most reported first',
        description: 'A partner sees its models’ posts; the operator every model’s.',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(QueuedPostSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await reports.queue(callerOf(request), pageRequest(request.query, ['number', 'number', 'string'])),
      ),
  );

  app.post(
    '/v1/posts/:postId/reports/dismiss',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Keep the post and close its open reports, with a reason (kept in its history)',
        params: PostParams,
        body: HideBody,
        response: responses({ 200: Type.Object({ dismissed: Type.Integer() }) }, 400, 401, 403, 404),
      },
    },
    async (request) => reports.dismiss(callerOf(request), request.params.postId, request.body.reason),
  );
}
