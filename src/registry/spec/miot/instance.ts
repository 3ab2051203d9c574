import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * A MIoT-Spec-V2 instance document as miot-spec.org publishes it
 * (`/miot-spec-v2/instance?type=urn:miot-spec-v2:device:...`). Only the shape is checked here;
 * fields the importer has no place for (`comment`, `source`, `gatt-access`, anything new) are
 * allowed through so it can list each one it drops instead of refusing the document.
 */

/** Larger input is refused before parsing; the largest real instance documents are tens of KiB. */
export const MAX_MIOT_DOCUMENT_BYTES = 1024 * 1024;

/** A JSON number; integer literals beyond 2^53 - 1 arrive as bigints (exact-json.ts). */
const MiotNumber = Type.Union([Type.Number(), Type.BigInt()]);
const Iid = Type.Integer();
const open = { additionalProperties: true } as const;

export const MiotValueListEntrySchema = Type.Object(
  { value: MiotNumber, description: Type.Optional(Type.String()) },
  open,
);

export const MiotPropertySchema = Type.Object(
  {
    iid: Iid,
    type: Type.String(),
    description: Type.Optional(Type.String()),
    format: Type.String(),
    access: Type.Array(Type.String()),
    unit: Type.Optional(Type.String()),
    'value-range': Type.Optional(Type.Array(MiotNumber)),
    'value-list': Type.Optional(Type.Array(MiotValueListEntrySchema)),
  },
  open,
);

export const MiotActionSchema = Type.Object(
  {
    iid: Iid,
    type: Type.String(),
    description: Type.Optional(Type.String()),
    in: Type.Optional(Type.Array(Iid)),
    out: Type.Optional(Type.Array(Iid)),
  },
  open,
);

export const MiotEventSchema = Type.Object(
  {
    iid: Iid,
    type: Type.String(),
    description: Type.Optional(Type.String()),
    arguments: Type.Optional(Type.Array(Iid)),
  },
  open,
);

export const MiotServiceSchema = Type.Object(
  {
    iid: Iid,
    type: Type.String(),
    description: Type.Optional(Type.String()),
    properties: Type.Optional(Type.Array(MiotPropertySchema)),
    actions: Type.Optional(Type.Array(MiotActionSchema)),
    events: Type.Optional(Type.Array(MiotEventSchema)),
  },
  open,
);

export const MiotInstanceSchema = Type.Object(
  {
    type: Type.String(),
    description: Type.Optional(Type.String()),
    services: Type.Array(MiotServiceSchema),
  },
  open,
);

export type MiotValueListEntry = Static<typeof MiotValueListEntrySchema>;
export type MiotProperty = Static<typeof MiotPropertySchema>;
export type MiotAction = Static<typeof MiotActionSchema>;
export type MiotEvent = Static<typeof MiotEventSchema>;
export type MiotService = Static<typeof MiotServiceSchema>;
export type MiotInstance = Static<typeof MiotInstanceSchema>;

export const MiotInstanceCheck = TypeCompiler.Compile(MiotInstanceSchema);

/** The fields of each level the importer maps; any other field is dropped with a note. */
export const KNOWN_FIELDS = {
  instance: ['type', 'description', 'services'],
  service: ['iid', 'type', 'description', 'properties', 'actions', 'events'],
  property: ['iid', 'type', 'description', 'format', 'access', 'unit', 'value-range', 'value-list'],
  action: ['iid', 'type', 'description', 'in', 'out'],
  event: ['iid', 'type', 'description', 'arguments'],
  valueListEntry: ['value', 'description'],
} as const;
