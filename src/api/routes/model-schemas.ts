import { Type } from '@sinclair/typebox';
import { MODEL_STATES } from '../../registry/models/service.js';
import { Timestamp } from '../schemas.js';

/** Shapes shared by the model routes and the public catalog routes. */

const NullableTimestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const ModelState = Type.Union(MODEL_STATES.map((state) => Type.Literal(state)));

/**
 * A model document (docs/spec.md). Open here on purpose: the spec validator checks it and reports
 * every schema and quality-rule violation at once, which an Ajv body schema would pre-empt.
 */
export const ModelDocument = Type.Object(
  {},
  {
    additionalProperties: true,
    description: 'A model document: model, specVersion, name, category, assets, services (see docs/spec.md)',
  },
);

export const LocalizedName = Type.Object(
  { en: Type.String({ minLength: 1, maxLength: 128 }) },
  {
    additionalProperties: Type.String({ maxLength: 128 }),
    description: 'Display name by locale (`en`, `zh-CN`, ...); `en` is required',
  },
);

export const Finding = Type.Object({
  rule: Type.String({ description: 'Quality rule id, e.g. Q014' }),
  path: Type.String({ description: 'JSON pointer into the document' }),
  message: Type.String(),
});

const versionTimestamps = {
  version: Type.Integer(),
  state: ModelState,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  submittedAt: NullableTimestamp,
  certifiedAt: NullableTimestamp,
  publishedAt: NullableTimestamp,
  retiredAt: NullableTimestamp,
};

export const VersionSummarySchema = Type.Object(versionTimestamps);

export const ModelSchema = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  partnerSlug: Type.String(),
  category: Type.String(),
  parent: Type.Union([Type.String(), Type.Null()], { description: 'The parent of an "S" variant' }),
  createdAt: Timestamp,
  versions: Type.Array(VersionSummarySchema),
});

export const VersionSchema = Type.Object({
  modelId: Type.String(),
  ...versionTimestamps,
  document: ModelDocument,
  warnings: Type.Array(Finding, { description: 'Quality-rule warnings; they do not block the lifecycle' }),
  certificationNote: Type.Union([Type.String(), Type.Null()]),
  certifiedBy: Type.Optional(Type.String({ description: 'The certifying operator token (operators only)' })),
});

export const CatalogEntrySchema = Type.Object({
  model: Type.String(),
  version: Type.Integer({ description: 'The latest published version' }),
  category: Type.String(),
  name: LocalizedName,
  icon: Type.String(),
  shortName: Type.String(),
  partner: Type.String({ description: 'The partner slug' }),
  parent: Type.Union([Type.String(), Type.Null()]),
});

export const ModelParams = Type.Object({ modelId: Type.String({ minLength: 1, maxLength: 128 }) });
export const VersionParams = Type.Object({
  modelId: Type.String({ minLength: 1, maxLength: 128 }),
  version: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});
