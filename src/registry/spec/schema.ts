import { type Static, Type } from '@sinclair/typebox';

/**
 * The model document: a device model described MIoT-Spec-V2 style, as services that hold
 * properties, actions and events. The schema checks shape only; everything that needs judgement
 * (naming style, units, sane ranges, category requirements) is a quality rule in `rules/`, so a
 * partner gets one list of named, fixable findings instead of a shape error for each.
 */

/** Documents larger than this are refused before parsing; a real model is a few KiB. */
export const MAX_MODEL_DOCUMENT_BYTES = 256 * 1024;

/** Instance ids (siid, piid, aiid, eiid) are 16-bit on the wire in MIoT, and 0 is reserved. */
export const MAX_IID = 65_535;

// `{partner}.{category}.{code}`; each segment lowercase letters, digits and hyphens, starting with a
// letter or digit. The partner segment is 2..32 characters (it is also the partner's public handle).
const PARTNER_SEGMENT = '[a-z0-9][a-z0-9-]{1,31}';
const CATEGORY_SEGMENT = '[a-z0-9][a-z0-9-]{0,47}';
const CODE_SEGMENT = '[a-z0-9][a-z0-9-]{0,31}';
export const MODEL_ID_PATTERN = `^${PARTNER_SEGMENT}\\.${CATEGORY_SEGMENT}\\.${CODE_SEGMENT}$`;
export const CATEGORY_ID_PATTERN = `^${CATEGORY_SEGMENT}$`;
/** BCP-47-ish: a 2..3 letter language, then optional script/region/variant subtags (`zh-CN`, `es-419`). */
export const LOCALE_PATTERN = '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$';

export const PROPERTY_FORMATS = [
  'bool',
  'uint8',
  'uint16',
  'uint32',
  'int8',
  'int16',
  'int32',
  'float',
  'string',
] as const;
export type PropertyFormat = (typeof PROPERTY_FORMATS)[number];

export const PROPERTY_ACCESS = ['read', 'write', 'notify'] as const;
export type PropertyAccess = (typeof PROPERTY_ACCESS)[number];

const ModelId = Type.String({
  pattern: MODEL_ID_PATTERN,
  description:
    'a model id {partner}.{category}.{code} in lowercase letters, digits and "-", e.g. acme.light.bulb1 ' +
    '(partner 2..32 characters)',
});
const CategoryId = Type.String({
  pattern: CATEGORY_ID_PATTERN,
  description: 'a category id in lowercase letters, digits and "-", e.g. air-purifier',
});
const Iid = Type.Integer({ minimum: 1, maximum: MAX_IID });
// Names are checked for kebab-case by a quality rule; the schema only bounds them.
const ItemName = Type.String({ minLength: 1, maxLength: 64 });
const Description = Type.String({ maxLength: 1024 });
const IidRefs = Type.Array(Iid, { maxItems: 64 });

export const PropertyFormatSchema = Type.Union(PROPERTY_FORMATS.map((format) => Type.Literal(format)));
export const PropertyAccessSchema = Type.Union(PROPERTY_ACCESS.map((access) => Type.Literal(access)));

export const LocalizedTextSchema = Type.Intersect([
  Type.Object({ en: Type.String({ maxLength: 128 }) }),
  Type.Record(Type.String({ pattern: LOCALE_PATTERN }), Type.String({ maxLength: 128 }), {
    additionalProperties: false,
  }),
]);

export const EnumEntrySchema = Type.Object(
  { value: Type.Integer(), description: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);

export const PropertySpecSchema = Type.Object(
  {
    iid: Iid,
    name: ItemName,
    description: Description,
    format: PropertyFormatSchema,
    access: Type.Array(PropertyAccessSchema, { minItems: 1, uniqueItems: true }),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    /** [min, max, step], all inclusive. */
    range: Type.Optional(Type.Tuple([Type.Number(), Type.Number(), Type.Number()])),
    enum: Type.Optional(Type.Array(EnumEntrySchema, { maxItems: 1024 })),
    maxLength: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);

export const ActionSpecSchema = Type.Object(
  {
    iid: Iid,
    name: ItemName,
    description: Description,
    /** piids of properties of the same service, MIoT style. */
    in: IidRefs,
    out: IidRefs,
  },
  { additionalProperties: false },
);

export const EventSpecSchema = Type.Object(
  {
    iid: Iid,
    name: ItemName,
    description: Description,
    arguments: IidRefs,
  },
  { additionalProperties: false },
);

export const ServiceSpecSchema = Type.Object(
  {
    iid: Iid,
    name: ItemName,
    description: Description,
    properties: Type.Array(PropertySpecSchema, { maxItems: 256 }),
    actions: Type.Array(ActionSpecSchema, { maxItems: 256 }),
    events: Type.Array(EventSpecSchema, { maxItems: 256 }),
  },
  { additionalProperties: false },
);

export const ModelAssetsSchema = Type.Object(
  {
    /** A relative path inside the partner's asset bundle, or an https URL. */
    icon: Type.String({ maxLength: 2048 }),
    /** The label under the icon in the app; 1..12 characters (rule Q021). */
    shortName: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);

export const ModelSpecSchema = Type.Object(
  {
    model: ModelId,
    specVersion: Type.Integer({ minimum: 1 }),
    name: LocalizedTextSchema,
    category: CategoryId,
    assets: ModelAssetsSchema,
    /** The model this "S" variant derives from. */
    parent: Type.Optional(ModelId),
    services: Type.Array(ServiceSpecSchema, { maxItems: 64 }),
  },
  { additionalProperties: false },
);

export type LocalizedText = Static<typeof LocalizedTextSchema>;
export type EnumEntry = Static<typeof EnumEntrySchema>;
export type PropertySpec = Static<typeof PropertySpecSchema>;
export type ActionSpec = Static<typeof ActionSpecSchema>;
export type EventSpec = Static<typeof EventSpecSchema>;
export type ServiceSpec = Static<typeof ServiceSpecSchema>;
export type ModelAssets = Static<typeof ModelAssetsSchema>;
export type ModelSpec = Static<typeof ModelSpecSchema>;
