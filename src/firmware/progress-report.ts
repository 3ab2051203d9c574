import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { PROGRESS_STATES, REASON_CODES } from './manifest.js';

const Progress = Type.Object(
  {
    executionId: Type.String({ minLength: 1, maxLength: 64 }),
    state: Type.Union(PROGRESS_STATES.map((s) => Type.Literal(s))),
    percent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    reason: Type.Optional(Type.Union(REASON_CODES.map((s) => Type.Literal(s)))),
    detail: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const ProgressSchema = TypeCompiler.Compile(Progress);

/** A device's message on `dev/{did}/ota/progress` (docs/ota.md). */
export type ProgressReport = Static<typeof Progress>;

/** The progress message in a payload, or why it is not one (for a debug log line). */
export function parseProgress(payload: Buffer): { report: ProgressReport } | { problem: string } {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    body = undefined;
  }
  if (ProgressSchema.Check(body)) return { report: body };
  const first = body === undefined ? undefined : ProgressSchema.Errors(body).First();
  return { problem: first ? `${first.path}: ${first.message}` : 'not JSON' };
}
