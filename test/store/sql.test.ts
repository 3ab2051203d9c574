import { describe, expect, it } from 'vitest';
import { compile, SqlParameterError, sql } from '../../src/store/sql.js';

describe('sql tagged template', () => {
  const id = "x'); DROP TABLE users; --";

  it('binds every interpolation as a parameter: ? on SQLite, $n on PostgreSQL', () => {
    const q = sql`SELECT * FROM users WHERE id = ${id} AND created_at > ${5}`;
    expect(compile(q, 'sqlite')).toEqual({
      text: 'SELECT * FROM users WHERE id = ? AND created_at > ?',
      params: [id, 5],
    });
    expect(compile(q, 'postgres')).toEqual({
      text: 'SELECT * FROM users WHERE id = $1 AND created_at > $2',
      params: [id, 5],
    });
  });

  it('numbers parameters across nested fragments, joins and dialect choices', () => {
    const filter = sql`partner_id = ${'p1'}`;
    const q = sql`SELECT id FROM devices WHERE ${filter} AND id IN (${sql.join(['a', 'b'])}) ${sql.dialect({
      sqlite: sql`LIMIT ${10}`,
      postgres: sql`LIMIT ${10} FOR UPDATE SKIP LOCKED`,
    })}`;
    expect(compile(q, 'sqlite')).toEqual({
      text: 'SELECT id FROM devices WHERE partner_id = ? AND id IN (?, ?) LIMIT ?',
      params: ['p1', 'a', 'b', 10],
    });
    expect(compile(q, 'postgres')).toEqual({
      text: 'SELECT id FROM devices WHERE partner_id = $1 AND id IN ($2, $3) LIMIT $4 FOR UPDATE SKIP LOCKED',
      params: ['p1', 'a', 'b', 10],
    });
  });

  it('binds booleans as 1/0 on SQLite and bigints as text on PostgreSQL', () => {
    const q = sql`UPDATE devices SET online = ${true}, blocked = ${false}, n = ${2n ** 60n}`;
    expect(compile(q, 'sqlite').params).toEqual([1, 0, 2n ** 60n]);
    expect(compile(q, 'postgres').params).toEqual([true, false, '1152921504606846976']);
  });

  it('splices raw text and empty fragments without parameters', () => {
    const q = sql`SELECT * FROM ${sql.raw('partner_contracts')} WHERE 1 = 1 ${sql.empty}`;
    expect(compile(q, 'postgres')).toEqual({
      text: 'SELECT * FROM partner_contracts WHERE 1 = 1 ',
      params: [],
    });
  });

  it('turns a Uint8Array into a Buffer and refuses an empty join', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const [param] = compile(sql`SELECT ${bytes}`, 'sqlite').params;
    expect(Buffer.isBuffer(param)).toBe(true);
    expect(param).toEqual(Buffer.from([1, 2, 3]));
    expect(() => sql.join([])).toThrow(SqlParameterError);
  });
});
