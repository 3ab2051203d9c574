import { type Static, Type } from '@sinclair/typebox';

/**
 * The model document: a device model described MIoT-Spec-V2 style, as services that hold
 * properties, actions and events. The schema checks shape only; everything that needs judgement
 * (naming style, units, sane ranges, category requirements) is a quality rule in `rules/`, so a
 * partner gets one list of named, fixable findings instead of a shape error for each.
 */

/** Documents larger than this are refused before parsing; a real model is a few KiB. */
export const MAX_MODEL_DOCUMENT_BYTES = 256 * 1024;

/**
 * Instance ids (siid, piid, aiid, eiid) are 16-bit on the wire in MIoT. 0 is a valid iid: real
 * instances use it (a gateway's piid 0), so it is allowed at every level.
 */
export const MIN_IID = 0;
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

/** MIoT-Spec-V2's value formats; `hex` is a string of hexadecimal digit pairs (binary data). */
export const PROPERTY_FORMATS = [
  'bool',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'int8',
  'int16',
  'int32',
  'int64',
  'float',
  'string',
  'hex',
] as const;
export type PropertyFormat = (typeof PROPERTY_FORMATS)[number];

export const PROPERTY_ACCESS = ['read', 'write', 'notify'] as const;
export type PropertyAccess = (typeof PROPERTY_ACCESS)[number];

/** How devices of a model address properties, actions and events on the wire (docs/protocol.md). */
export const ADDRESSING_MODES = ['name', 'iid'] as const;
export type Addressing = (typeof ADDRESSING_MODES)[number];

/**
 * A 64-bit integer beyond the JSON-safe range (|n| > 2^53 - 1) is written as a string of decimal
 * digits; every other number stays a JSON number (docs/spec.md, "64-bit integers").
 */
export const DECIMAL_INTEGER_PATTERN = '^-?(0|[1-9][0-9]{0,19})$';

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
const Iid = Type.Integer({ minimum: MIN_IID, maximum: MAX_IID });
// Names are checked for kebab-case by a quality rule; the schema only bounds them.
const ItemName = Type.String({ minLength: 1, maxLength: 64 });
const Description = Type.String({ maxLength: 1024 });
const IidRefs = Type.Array(Iid, { maxItems: 64 });
/**
 * A MIoT-Spec-V2 type URN, `urn:{namespace}:{kind}:{name}:{id}[:{product}:{version}...]`; checked
 * by rule Q023, so a malformed one gets a message that says which part is wrong.
 */
const TypeUrn = Type.String({ minLength: 1, maxLength: 256 });
/** A range bound: a number, or (64-bit formats only) a decimal string beyond the JSON-safe range. */
const RangeBound = Type.Union([
  Type.Number(),
  Type.String({ pattern: DECIMAL_INTEGER_PATTERN, description: 'a decimal integer beyond 2^53' }),
]);

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
    type: Type.Optional(TypeUrn),
    description: Description,
    format: PropertyFormatSchema,
    /** Empty for a parameter-only property: it exists only as an action or event argument. */
    access: Type.Array(PropertyAccessSchema, { uniqueItems: true }),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    /** [min, max, step], all inclusive. */
    range: Type.Optional(Type.Tuple([RangeBound, RangeBound, RangeBound])),
    enum: Type.Optional(Type.Array(EnumEntrySchema, { maxItems: 1024 })),
    maxLength: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);

export const ActionSpecSchema = Type.Object(
  {
    iid: Iid,
    name: ItemName,
    type: Type.Optional(TypeUrn),
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
    type: Type.Optional(TypeUrn),
    description: Description,
    arguments: IidRefs,
  },
  { additionalProperties: false },
);

export const ServiceSpecSchema = Type.Object(
  {
    iid: Iid,
    name: ItemName,
    type: Type.Optional(TypeUrn),
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
    /** The MIoT device type URN, for a model imported from (or exported to) MIoT-Spec-V2. */
    type: Type.Optional(TypeUrn),
    specVersion: Type.Integer({ minimum: 1 }),
    name: LocalizedTextSchema,
    category: CategoryId,
    assets: ModelAssetsSchema,
    /** The model this "S" variant derives from. */
    parent: Type.Optional(ModelId),
    /** `name` (default): devices speak `service.property`; `iid`: they speak siid/piid, as MIoT firmware does. */
    addressing: Type.Optional(Type.Union(ADDRESSING_MODES.map((mode) => Type.Literal(mode)))),
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
