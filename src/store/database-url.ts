/**
 * `--database URL`: `sqlite:PATH` (the embedded default) or `postgres://user:password@host:port/db`
 * (`postgresql://` too; query parameters such as `sslmode=require` are node-postgres'). A URL may
 * hold a password: only `describe` output ever reaches a log line or an error message.
 */
export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly where: PostgresWhere };

/** Where a PostgreSQL URL points, without the password. */
export interface PostgresWhere {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

const EXPECTED = 'expected sqlite:PATH or postgres://user:password@host:port/database';

export function parseDatabaseUrl(raw: string): DatabaseTarget {
  const text = raw.trim();
  if (text.startsWith('sqlite:')) {
    const file = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new DatabaseUrlError(`the sqlite URL names no file (${EXPECTED})`);
    if (file === ':memory:') {
      throw new DatabaseUrlError('sqlite::memory: would lose everything at exit; name a file');
    }
    return { kind: 'sqlite', file };
  }
  if (/^postgres(ql)?:\/\//.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      // The text may hold a password: never echo it.
      throw new DatabaseUrlError(`the postgres URL is not a valid URL (${EXPECTED})`);
    }
    const socketHost = url.searchParams.get('host');
    const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1') || socketHost || '';
    if (host === '') throw new DatabaseUrlError(`the postgres URL names no host (${EXPECTED})`);
    const port = url.port === '' ? 5432 : Number(url.port);
    // Empty when the URL leaves them to node-postgres' defaults (PGUSER, PGDATABASE, ...).
    const user = decodeURIComponent(url.username) || url.searchParams.get('user') || '';
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    return { kind: 'postgres', url: text, where: { host, port, database, user } };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1];
  throw new DatabaseUrlError(
    scheme ? `unsupported database scheme '${scheme}:' (${EXPECTED})` : `not a database URL (${EXPECTED})`,
  );
}

/** For logs and messages: `postgres://user@host:port/database` or `sqlite:PATH`; never a password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `sqlite:${target.file}`;
  const { user, host, port, database } = target.where;
  const shownHost = host.startsWith('/') ? encodeURIComponent(host) : host.includes(':') ? `[${host}]` : host;
  return `postgres://${user ? `${user}@` : ''}${shownHost}:${port}/${database}`;
}
