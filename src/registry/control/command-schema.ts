import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/** A command id chosen by the phone: unique per user for at least the dedup window. */
export const CommandId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' });
const DeviceId = Type.String({ pattern: '^[0-9a-f]{16}$' });
const Ref = Type.String({ minLength: 3, maxLength: 129 });

export const SetBody = Type.Object({
  op: Type.Literal('set'),
  props: Type.Record(Ref, Type.Unknown(), { minProperties: 1, maxProperties: 64 }),
});
export const GetBody = Type.Object({
  op: Type.Literal('get'),
  props: Type.Array(Ref, { minItems: 1, maxItems: 64, uniqueItems: true }),
});
export const ActionBody = Type.Object({
  op: Type.Literal('action'),
  action: Ref,
  in: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 64 })),
});

/** Reads the device's desired state and refusals; never reaches the device. */
export const DesiredBody = Type.Object({ op: Type.Literal('desired') });
/** Clears desired values (all, or these properties) and their refusals; never reaches the device. */
export const ClearDesiredBody = Type.Object({
  op: Type.Literal('clear-desired'),
  props: Type.Optional(Type.Array(Ref, { minItems: 1, maxItems: 64, uniqueItems: true })),
});

/** What a phone publishes on app/{uid}/cmd (docs/protocol.md). */
export const PhoneCommandSchema = Type.Union([
  Type.Composite([Type.Object({ id: CommandId, did: DeviceId }), SetBody], { additionalProperties: false }),
  Type.Composite([Type.Object({ id: CommandId, did: DeviceId }), GetBody], { additionalProperties: false }),
  Type.Composite([Type.Object({ id: CommandId, did: DeviceId }), ActionBody], {
    additionalProperties: false,
  }),
  Type.Composite([Type.Object({ id: CommandId, did: DeviceId }), DesiredBody], {
    additionalProperties: false,
  }),
  Type.Composite([Type.Object({ id: CommandId, did: DeviceId }), ClearDesiredBody], {
    additionalProperties: false,
  }),
]);
export type PhoneCommand = Static<typeof PhoneCommandSchema>;
export const PhoneCommandCheck = TypeCompiler.Compile(PhoneCommandSchema);

/** What a device publishes on dev/{did}/replies. */
export const DeviceReplySchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
    data: Type.Optional(Type.Unknown()),
    error: Type.Optional(
      Type.Object(
        { code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 1024 }) },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: false },
);
export const DeviceReplyCheck = TypeCompiler.Compile(DeviceReplySchema);

/**
 * One command after validation, as sent to the device (with the hub's own id): by names, or by
 * iids for a model with `"addressing": "iid"` (docs/protocol.md).
 */
export type DeviceCommand =
  | { id: string; op: 'set'; props: Record<string, unknown> }
  | { id: string; op: 'get'; props: string[] }
  | { id: string; op: 'action'; action: string; in: unknown[] }
  | { id: string; op: 'set'; props: Array<{ siid: number; piid: number; value: unknown }> }
  | { id: string; op: 'get'; props: Array<{ siid: number; piid: number }> }
  | { id: string; op: 'action'; siid: number; aiid: number; in: unknown[] };

export interface ReplyError {
  readonly code: string;
  readonly mqttCode: number;
  readonly message: string;
  /** The device's own error code, when the device refused the command. */
  readonly deviceCode?: string;
  /** The offending fields, as JSON pointers into the command. */
  readonly errors?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  /** Seconds to wait before sending again (RATE_LIMITED, DEVICE_BUSY). */
  readonly retryAfter?: number;
}

/** The one reply envelope a phone receives on app/{uid}/replies (and the REST mirror returns). */
export type PhoneReply =
  | { readonly id: string | null; readonly did: string | null; readonly status: 'ok'; readonly data: unknown }
  | {
      readonly id: string | null;
      readonly did: string | null;
      readonly status: 'queued';
      readonly data: { desired: Record<string, unknown> };
    }
  | {
      readonly id: string | null;
      readonly did: string | null;
      readonly status: 'error';
      readonly error: ReplyError;
    };
