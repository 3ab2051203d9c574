import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../schemas.js';

const PostId = Type.String({ pattern: '^post_[0-9a-f]{32}$', description: 'post id' });
const StatusValues = ['open', 'planned', 'in-beta', 'shipped', 'declined', 'duplicate'] as const;
const Status = Type.Union(StatusValues.map((s) => Type.Literal(s)));
const Kind = Type.Union([Type.Literal('idea'), Type.Literal('bug')]);
const Text = (max: number, what: string) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '\\S', description: what });
const Reason = Text(500, 'why, shown to the author and moderators');

export const ModelParams = Type.Object({ modelId: Type.String({ minLength: 1, maxLength: 128 }) });
export const PostParams = Type.Object({ postId: PostId });
export const CommentParams = Type.Object({ commentId: Type.String({ pattern: '^cmt_[0-9a-f]{32}$' }) });
export const NotificationParams = Type.Object({
  notificationId: Type.String({ pattern: '^ntf_[0-9a-f]{32}$' }),
});
export const ReleaseParams = Type.Object({
  releaseId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'the firmware release id' }),
});

export const NewPostBody = Type.Object({
  kind: Kind,
  title: Text(120, 'one line'),
  body: Text(10_000, 'what and why (plain text)'),
  attach: Type.Optional(
    Type.Object({
      deviceId: Type.String({ minLength: 1, maxLength: 64 }),
      consent: Type.Boolean({
        description: 'must be true: the partner will see the device’s recent state and events',
      }),
    }),
  ),
});

export const CommentBody = Type.Object({ body: Text(5000, 'plain text') });
export const StatusBody = Type.Object({
  status: Type.Union(
    StatusValues.filter((s) => s !== 'duplicate').map((s) => Type.Literal(s)),
    {
      description: 'duplicate is set by merging (POST /v1/posts/{postId}/merge)',
    },
  ),
  note: Type.Optional(Text(1000, 'told to every voter')),
});
export const HideBody = Type.Object({ reason: Reason });
export const ReportBody = Type.Object({ reason: Text(500, 'what is wrong with the post, for moderators') });
export const ShowQuery = Type.Object({ reason: Type.Optional(Reason) });
export const LockBody = Type.Object({ locked: Type.Boolean(), note: Type.Optional(Reason) });
export const MergeBody = Type.Object({ into: PostId });
export const LinkBody = Type.Object({
  modelId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "the release's model" })),
  version: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9._+-]{1,64}$',
      description: "the release's firmware version (devices report it once they run it)",
    }),
  ),
  postIds: Type.Array(PostId, { minItems: 1, maxItems: 100 }),
});

export const PostListQuery = {
  sort: Type.Optional(
    Type.Union([Type.Literal('top'), Type.Literal('trending'), Type.Literal('new')], {
      default: 'top',
      description: 'top: verified votes; trending: verified votes of the last 7 days; new: newest first',
    }),
  ),
  status: Type.Optional(Status),
  kind: Type.Optional(Kind),
  hidden: Type.Optional(
    Type.Boolean({ description: 'moderators: only hidden posts (true) or only shown ones (false)' }),
  ),
};

const Hidden = Nullable(Type.Object({ reason: Type.String(), at: Timestamp }));

export const PostSchema = Type.Object({
  id: Type.String(),
  modelId: Type.String(),
  kind: Kind,
  title: Type.String(),
  body: Type.String(),
  status: Status,
  duplicateOf: Nullable(Type.String()),
  locked: Type.Boolean(),
  hidden: Hidden,
  votes: Type.Object({ total: Type.Integer(), verified: Type.Integer(), last7Days: Type.Integer() }),
  voted: Nullable(Type.Boolean()),
  mine: Type.Boolean(),
  hasAttachment: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const PostDetailSchema = Type.Composite([
  PostSchema,
  Type.Object({
    ranking: Type.Object({
      verified: Type.Integer(),
      unverified: Type.Integer(),
      last7Days: Type.Integer(),
      byOwnership: Type.Object({
        under30Days: Type.Integer(),
        days30To365: Type.Integer(),
        over365Days: Type.Integer(),
      }),
      byActivity: Type.Object({
        activeLast7Days: Type.Integer(),
        inactive: Type.Integer(),
        sampled: Type.Integer(),
      }),
    }),
  }),
]);

export const CommentSchema = Type.Object({
  id: Type.String(),
  postId: Type.String(),
  authorKind: Type.Union([Type.Literal('user'), Type.Literal('partner'), Type.Literal('operator')]),
  mine: Type.Boolean(),
  body: Type.String(),
  firmwareVersion: Nullable(Type.String()),
  hidden: Hidden,
  createdAt: Timestamp,
});

export const PostEventSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  fromStatus: Nullable(Type.String()),
  toStatus: Nullable(Type.String()),
  note: Nullable(Type.String()),
  actor: Type.String(),
  at: Timestamp,
});

export const LinkSchema = Type.Object({
  postId: Type.String(),
  releaseId: Type.String(),
  modelId: Type.String(),
  version: Type.String(),
  linkedAt: Timestamp,
});

export const AttachmentSchema = Type.Object({
  deviceId: Type.String(),
  modelVersion: Type.Integer(),
  firmwareVersion: Nullable(Type.String()),
  online: Type.Boolean(),
  lastSeenAt: Nullable(Timestamp),
  state: Type.Record(Type.String(), Type.Unknown()),
  events: Type.Array(Type.Object({ event: Type.String(), ts: Timestamp, arguments: Type.Unknown() })),
});

export const NotificationSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  postId: Nullable(Type.String()),
  title: Type.String(),
  message: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Timestamp,
  readAt: Nullable(Timestamp),
});

export const DigestQuery = Type.Object({
  week: Type.Optional(
    Type.String({ format: 'date', description: 'a day of the week wanted (UTC); default this week' }),
  ),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' })),
});

export const DigestSchema = Type.Object({
  modelId: Type.String(),
  from: Timestamp,
  to: Timestamp,
  newPosts: Type.Integer(),
  votes: Type.Integer(),
  statusChanges: Type.Integer(),
  releasesLinked: Type.Integer(),
  entries: Type.Array(
    Type.Object({
      at: Timestamp,
      postId: Type.String(),
      kind: Type.String(),
      fromStatus: Nullable(Type.String()),
      toStatus: Nullable(Type.String()),
      note: Nullable(Type.String()),
    }),
  ),
  truncated: Type.Boolean(),
});

export const QueuedPostSchema = Type.Object({
  post: PostSchema,
  reports: Type.Object({
    open: Type.Integer(),
    firstAt: Timestamp,
    lastAt: Timestamp,
    reasons: Type.Array(Type.Object({ reason: Type.String(), at: Timestamp }), {
      description: 'the newest open reports (at most 5), reporters never named',
    }),
  }),
});
