import type Database from 'better-sqlite3';
import { checkChannel, checkPayload, type QueryOptions, type RunResult, type Transaction } from './engine.js';
import { compile, type Sql } from './sql.js';
import { queryRows, runStatement, type StatementCache, wrap } from './sqlite-statements.js';

/** Notifications a transaction sent, `[channel, payload]`: delivered once it committed. */
export type PendingNotifications = Array<[string, string]>;

/**
 * The `tx` a SQLite transaction's callback gets (sqlite-engine.ts opens and ends the transaction):
 * its queries run on the writer connection, its notifications wait in `pending` for the commit, and
 * once `token.open` is false (the callback returned) every call fails.
 */
export function sqliteTransaction(
  writer: Database.Database,
  writes: StatementCache,
  pending: PendingNotifications,
  token: { open: boolean },
): Transaction {
  const check = () => {
    if (!token.open)
      throw new Error('the transaction is over: queries must finish before its callback returns');
  };
  return {
    dialect: 'sqlite',
    many: async <R extends object>(query: Sql, o?: QueryOptions) => {
      check();
      return queryRows(writes, compile(query, 'sqlite'), o) as R[];
    },
    one: async <R extends object>(query: Sql, o?: QueryOptions) => {
      check();
      return queryRows(writes, compile(query, 'sqlite'), o, true)[0] as R | undefined;
    },
    run: async <R extends object>(query: Sql, o?: QueryOptions) => {
      check();
      return runStatement(writes, compile(query, 'sqlite'), o) as RunResult<R>;
    },
    notify: async (channel: string, payload: string) => {
      check();
      checkChannel(channel);
      checkPayload(payload);
      pending.push([channel, payload]);
    },
    exec: async (script: string) => {
      check();
      try {
        writer.exec(script);
      } catch (err) {
        throw wrap(err);
      }
    },
  };
}
