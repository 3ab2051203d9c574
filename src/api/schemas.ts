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
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
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
