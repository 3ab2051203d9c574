import { type TSchema, Type } from '@sinclair/typebox';

/** The problem+json body every error response has (see src/errors.ts for the codes). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    instance: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        maxItems: 20,
        description: 'the offending fields (at most 20)',
      }),
    ),
    errorsTruncated: Type.Optional(
      Type.Boolean({ description: 'true when there are more problems than `errors` lists' }),
    ),
  },
  { $id: 'Problem', additionalProperties: true },
);

export const ProblemRef = Type.Unsafe<unknown>({ $ref: 'Problem#' });

/** Response map with the problem body documented for the given error statuses. */
export function responses<T extends Record<number, TSchema>>(ok: T, ...errors: number[]) {
  const out: Record<number, TSchema> = { ...ok };
  for (const status of errors) out[status] = ProblemRef;
  return out as T & Record<number, TSchema>;
}

export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Timestamp = Type.String({ format: 'date-time' });

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Query fields of every history-like route: an ISO time range and a page size. */
export const TimeRangeQuery = {
  from: Type.Optional(
    Type.String({ format: 'date-time', description: 'inclusive; default: 24 h before `to`' }),
  ),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive; default: now' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
};

/** The time range a history query asks for, in ms: the last 24 hours by default. */
export function timeRange(q: { from?: string | undefined; to?: string | undefined }): {
  from: number;
  to: number;
} {
  const to = q.to === undefined ? Date.now() + 1 : Date.parse(q.to);
  return { from: q.from === undefined ? to - 24 * 3600_000 : Date.parse(q.from), to };
}

/** Query of the property-history routes (partner and user views alike). */
export const HistoryQuery = Type.Object({
  property: Type.String({ minLength: 3, maxLength: 129, description: 'service.property' }),
  bucket: Type.Optional(
    Type.Integer({
      minimum: 1000,
      maximum: 366 * 24 * 3600_000,
      description: 'bucket width in ms: min/max/avg per bucket',
    }),
  ),
  ...TimeRangeQuery,
});

/** A history query as the telemetry service takes it: defaults applied, times in ms. */
export function historyRequest(q: {
  property: string;
  bucket?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
}) {
  return { property: q.property, bucketMs: q.bucket, limit: q.limit ?? 1000, ...timeRange(q) };
}
