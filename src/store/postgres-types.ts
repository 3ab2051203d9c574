import pg from 'pg';
import { DatabaseError } from './engine.js';

/**
 * How PostgreSQL values are read, so rows look the same as on SQLite: integers are numbers (int8
 * and integral numeric, e.g. count(*) and sum(bigint), checked to fit in 2^53 instead of
 * node-postgres' strings), timestamps are UTC epoch ms, JSON and dates stay text. bool, bytea,
 * int2/int4 and float keep node-postgres' parsing (boolean, Buffer, number).
 *
 * Passed as the `types` option of each pool and client, never set globally on the pg module.
 */

const OID = {
  int8: 20,
  numeric: 1700,
  json: 114,
  jsonb: 3802,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

function beyond(text: string): DatabaseError {
  return new DatabaseError(
    'range',
    `the database returned ${text}, beyond 2^53: not exact as a JavaScript number`,
    {
      cause: undefined,
    },
  );
}

export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw beyond(text);
  return n;
}

export function parseNumeric(text: string): number {
  return /^-?\d+$/.test(text) ? parseInt8(text) : Number(text);
}

function parseTimestamptz(text: string): number {
  const date = pg.types.getTypeParser(OID.timestamptz, 'text')(text) as Date | number;
  return date instanceof Date ? date.getTime() : date;
}

/** timestamp without time zone is read as UTC (the hub never stores local times). */
function parseTimestamp(text: string): number {
  if (text === 'infinity') return Number.POSITIVE_INFINITY;
  if (text === '-infinity') return Number.NEGATIVE_INFINITY;
  return parseTimestamptz(`${text}+00`);
}

const identity = (text: string) => text;

const PARSERS = new Map<number, (text: string) => unknown>([
  [OID.int8, parseInt8],
  [OID.numeric, parseNumeric],
  [OID.json, identity],
  [OID.jsonb, identity],
  [OID.date, identity],
  [OID.timestamp, parseTimestamp],
  [OID.timestamptz, parseTimestamptz],
]);

export const hubTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      const parser = PARSERS.get(oid);
      if (parser) return parser;
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};
