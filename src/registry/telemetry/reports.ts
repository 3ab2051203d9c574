import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { CompiledProperty, CompiledSpec } from '../spec/index.js';
import { checkArguments, checkPropertyValue } from '../spec/index.js';

/**
 * The device's upward payloads (docs/protocol.md), validated before anything is stored or forwarded.
 * A report is accepted or rejected as a whole; a rejection names one reason, which is counted.
 */
export type RejectReason =
  | 'json'
  | 'shape'
  | 'unknown-property'
  | 'not-notifiable'
  | 'format'
  | 'range'
  | 'step'
  | 'enum'
  | 'length'
  | 'unknown-event'
  | 'arguments';

export interface Rejection {
  readonly reason: RejectReason;
  readonly message: string;
}

export interface ReportedValue {
  /** `service.property` */
  readonly key: string;
  readonly value: unknown;
  /** The value as a number for aggregation (booleans as 0/1), null for strings. */
  readonly num: number | null;
}

export interface AcceptedReport {
  readonly kind: 'props';
  readonly seq: number;
  readonly deviceTs: number | null;
  readonly values: readonly ReportedValue[];
  /** device-information.firmware-revision when the report carries it. */
  readonly firmware: string | undefined;
}

export interface AcceptedEvent {
  readonly kind: 'event';
  readonly seq: number;
  readonly deviceTs: number | null;
  /** `service.event` */
  readonly event: string;
  readonly arguments: unknown;
}

const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const DeviceTs = Type.Integer({ minimum: 0, maximum: 8.64e15 });

const Iid = Type.Integer({ minimum: 0, maximum: 65_535 });

/**
 * `props` by names (`{"light.on": true}`, or `"2.1"` keys), or by iids as MIoT firmware lists them
 * (`[{"siid": 2, "piid": 1, "value": true}]`), whatever the model's addressing.
 */
const ReportSchema = TypeCompiler.Compile(
  Type.Object(
    {
      seq: Seq,
      ts: Type.Optional(DeviceTs),
      props: Type.Union([
        Type.Record(Type.String({ minLength: 3, maxLength: 129 }), Type.Unknown(), {
          minProperties: 1,
          maxProperties: 256,
        }),
        Type.Array(
          Type.Object({ siid: Iid, piid: Iid, value: Type.Unknown() }, { additionalProperties: false }),
          { minItems: 1, maxItems: 256 },
        ),
      ]),
    },
    { additionalProperties: false },
  ),
);

const EventSchema = TypeCompiler.Compile(
  Type.Object(
    {
      seq: Seq,
      ts: Type.Optional(DeviceTs),
      event: Type.String({ minLength: 3, maxLength: 129 }),
      args: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 64 })),
    },
    { additionalProperties: false },
  ),
);

const DEVICE_INFORMATION = 'device-information';
const FIRMWARE_KEY = `${DEVICE_INFORMATION}.firmware-revision`;

function parseJson(payload: Buffer): { ok: true; value: unknown } | { ok: false; rejection: Rejection } {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch {
    return { ok: false, rejection: { reason: 'json', message: 'payload is not valid JSON' } };
  }
}

function shapeError(schema: typeof ReportSchema | typeof EventSchema, value: unknown): Rejection {
  const first = schema.Errors(value).First();
  const where = first?.path ? first.path : '/';
  return { reason: 'shape', message: `${where}: ${first?.message ?? 'invalid'}` };
}

function numeric(prop: CompiledProperty, value: unknown): number | null {
  if (prop.kind === 'bool') return value === true ? 1 : 0;
  return typeof value === 'number' ? value : null;
}

export function parseReport(payload: Buffer, spec: CompiledSpec): AcceptedReport | Rejection {
  const parsed = parseJson(payload);
  if (!parsed.ok) return parsed.rejection;
  const body = parsed.value;
  if (!ReportSchema.Check(body)) return shapeError(ReportSchema, body);
  const values: ReportedValue[] = [];
  let firmware: string | undefined;
  const entries: Array<[string, CompiledProperty | undefined, unknown]> = Array.isArray(body.props)
    ? body.props.map(({ siid, piid, value }) => [`${siid}.${piid}`, spec.propertyByIid(siid, piid), value])
    : Object.entries(body.props).map(([ref, value]) => [ref, spec.property(ref), value]);
  const seen = new Set<CompiledProperty>();
  for (const [ref, prop, value] of entries) {
    if (!prop)
      return { reason: 'unknown-property', message: `${ref} is not a property of ${spec.spec.model}` };
    if (seen.has(prop)) return { reason: 'shape', message: `${prop.key} (${ref}) is reported twice` };
    seen.add(prop);
    // device-information properties are read-only facts (firmware revision, serial); a device
    // announces them in a report after connecting, so they are accepted like notify properties.
    if (!prop.notifiable && prop.service !== DEVICE_INFORMATION) {
      return { reason: 'not-notifiable', message: `${prop.key} is not a notify property` };
    }
    const problem = checkPropertyValue(prop, value);
    if (problem) return { reason: problem.reason, message: problem.message };
    if (prop.key === FIRMWARE_KEY && typeof value === 'string') firmware = value;
    values.push({ key: prop.key, value, num: numeric(prop, value) });
  }
  return { kind: 'props', seq: body.seq, deviceTs: body.ts ?? null, values, firmware };
}

export function parseEvent(payload: Buffer, spec: CompiledSpec): AcceptedEvent | Rejection {
  const parsed = parseJson(payload);
  if (!parsed.ok) return parsed.rejection;
  const body = parsed.value;
  if (!EventSchema.Check(body)) return shapeError(EventSchema, body);
  const event = spec.event(body.event);
  if (!event)
    return { reason: 'unknown-event', message: `${body.event} is not an event of ${spec.spec.model}` };
  const args = body.args ?? [];
  const problems = checkArguments(
    spec,
    event.siid,
    event.arguments.map((a) => a.piid),
    args,
  );
  if (problems.length > 0) {
    return { reason: 'arguments', message: problems.map((p) => p.message).join('; ') };
  }
  return { kind: 'event', seq: body.seq, deviceTs: body.ts ?? null, event: event.key, arguments: args };
}

export function isRejection(x: AcceptedReport | AcceptedEvent | Rejection): x is Rejection {
  return 'reason' in x;
}
