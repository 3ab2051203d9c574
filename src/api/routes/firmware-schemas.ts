import { Type } from '@sinclair/typebox';
import { RolloutPolicySchema } from '../../firmware/policy.js';
import { SEMVER_PATTERN } from '../../firmware/semver.js';
import { TargetSchema } from '../../firmware/targets.js';
import { Nullable, Timestamp } from '../schemas.js';

export const PackageIdParams = Type.Object({ packageId: Type.String({ minLength: 1, maxLength: 64 }) });
export const RolloutIdParams = Type.Object({ rolloutId: Type.String({ minLength: 1, maxLength: 64 }) });
export const DeviceIdParams = Type.Object({ deviceId: Type.String({ minLength: 1, maxLength: 64 }) });

export const NewPackageBody = Type.Object(
  {
    modelId: Type.String({ minLength: 1, maxLength: 100 }),
    version: Type.String({
      minLength: 5,
      maxLength: 64,
      pattern: SEMVER_PATTERN,
      description: 'semantic version',
    }),
    specVersion: Type.Integer({
      minimum: 1,
      description: 'the published model spec version the firmware implements',
    }),
    notes: Type.String({ maxLength: 20_000, description: 'release notes (Markdown)' }),
  },
  { additionalProperties: false },
);

export const PackageSchema = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  modelId: Type.String(),
  version: Type.String(),
  specVersion: Type.Integer(),
  notes: Type.String(),
  state: Type.Union([Type.Literal('draft'), Type.Literal('ready'), Type.Literal('withdrawn')]),
  channel: Type.Union([Type.Literal('none'), Type.Literal('beta'), Type.Literal('stable')]),
  size: Nullable(Type.Integer()),
  sha256: Nullable(Type.String()),
  manifest: Nullable(Type.String({ description: 'the signed manifest, canonical JSON' })),
  signature: Nullable(
    Type.String({ description: "base64 Ed25519 signature of manifest by the hub's release key" }),
  ),
  keyId: Type.String(),
  partnerSignature: Nullable(Type.Object({ publicKey: Type.String(), signature: Type.String() })),
  createdAt: Timestamp,
  readyAt: Nullable(Timestamp),
  betaAt: Nullable(Timestamp),
  stableAt: Nullable(Timestamp),
});

const ExecutionStateSchema = Type.Union(
  ['queued', 'offered', 'in_progress', 'succeeded', 'failed', 'timed_out', 'rejected', 'cancelled'].map((s) =>
    Type.Literal(s),
  ),
);
export const ExecutionStateQuery = Type.Optional(ExecutionStateSchema);

export const ExecutionSchema = Type.Object({
  id: Type.String(),
  rolloutId: Type.String(),
  deviceId: Type.String(),
  state: ExecutionStateSchema,
  stage: Nullable(Type.Integer()),
  attempts: Type.Integer(),
  fromVersion: Nullable(Type.String()),
  phase: Nullable(Type.String()),
  percent: Nullable(Type.Integer()),
  reason: Nullable(Type.String()),
  dueAt: Nullable(Timestamp),
  offeredAt: Nullable(Timestamp),
  succeededAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  updatedAt: Timestamp,
});

const Counts = Type.Object({
  total: Type.Integer(),
  queued: Type.Integer(),
  offered: Type.Integer(),
  in_progress: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  timed_out: Type.Integer(),
  rejected: Type.Integer(),
  cancelled: Type.Integer(),
});

export const NewRolloutBody = Type.Object(
  {
    packageId: Type.String({ minLength: 1, maxLength: 64 }),
    target: TargetSchema,
    policy: Type.Optional(RolloutPolicySchema),
    rollback: Type.Optional(
      Type.Boolean({ description: 'an explicit, recorded rollback: lifts anti-rollback for this rollout' }),
    ),
    startAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

export const RolloutSchema = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  modelId: Type.String(),
  packageId: Type.String(),
  version: Type.String(),
  target: TargetSchema,
  rollback: Type.Boolean(),
  state: Type.Union(['scheduled', 'running', 'paused', 'completed', 'cancelled'].map((s) => Type.Literal(s))),
  stage: Type.Integer({ description: 'current stage; 0 is the canary' }),
  stages: Type.Integer(),
  policy: RolloutPolicySchema,
  haltReason: Nullable(Type.String()),
  haltedAt: Nullable(Timestamp),
  startAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  createdBy: Type.String(),
  counts: Counts,
});

export const CreatedRolloutSchema = Type.Composite([
  RolloutSchema,
  Type.Object({
    skipped: Type.Object({
      sameVersion: Type.Integer(),
      newerVersion: Type.Integer(),
      olderVersion: Type.Integer(),
      busy: Type.Integer(),
      outOfRange: Type.Integer(),
    }),
  }),
]);

export const DeviceFirmwareSchema = Type.Object({
  deviceId: Type.String(),
  modelId: Type.String(),
  currentVersion: Nullable(Type.String()),
  beta: Type.Boolean(),
  available: Nullable(
    Type.Object(
      {
        packageId: Type.String(),
        version: Type.String(),
        notes: Type.String({ description: 'release notes (Markdown)' }),
        channel: Type.Union([Type.Literal('beta'), Type.Literal('stable')]),
        releasedAt: Nullable(Timestamp),
      },
      { description: 'the newest release on stable (and beta, when opted in) newer than the device runs' },
    ),
  ),
  updates: Type.Array(
    Type.Composite([
      ExecutionSchema,
      Type.Object({ version: Type.String(), notes: Type.String(), rollback: Type.Boolean() }),
    ]),
  ),
});

export const RolloutStagesSchema = Type.Object({
  rolloutId: Type.String(),
  stages: Type.Array(
    Type.Object({
      stage: Type.Integer({ description: '0 is the canary' }),
      label: Type.String({ description: '`canary`, or the cumulative percentage of the target' }),
      planned: Type.Integer({ description: 'devices this stage adds to the rollout' }),
      targeted: Type.Integer({ description: 'devices taken into this stage so far' }),
      succeeded: Type.Integer(),
      failed: Type.Integer({ description: 'failed, timed out or rejected' }),
      inProgress: Type.Integer({ description: 'offered or in progress' }),
      retrying: Type.Integer({ description: 'waiting for a retry' }),
      cancelled: Type.Integer(),
      status: Type.Union([Type.Literal('done'), Type.Literal('current'), Type.Literal('waiting')]),
    }),
  ),
});
