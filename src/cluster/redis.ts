import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { describeRedis } from './options.js';

/**
 * Opens one Redis connection and waits until it answers, so a node with a wrong URL or a Redis that
 * is down fails at start with a message naming the server (never the password).
 */
export async function connectRedis(
  redisUrl: string,
  role: string,
  log: Logger,
  extra: RedisOptions = {},
): Promise<Redis> {
  const where = describeRedis(redisUrl);
  const conn = new Redis(redisUrl, {
    lazyConnect: true,
    connectionName: `ecohub-${role}`,
    // Commands issued while Redis is unreachable fail after this instead of queueing without bound.
    maxRetriesPerRequest: 3,
    enableOfflineQueue: true,
    ...extra,
  });
  // Libraries on this connection (aedes-persistence-redis, mqemitter-redis) send some commands
  // without awaiting them; when the connection closes (a node stopping) the commands in flight are
  // rejected with "Connection is closed." and nobody would handle that. Each command's promise is
  // marked handled here; a caller that awaits it still sees the rejection.
  const send = conn.sendCommand.bind(conn);
  conn.sendCommand = (command, stream) => {
    command.promise.catch(() => undefined);
    return send(command, stream);
  };
  let lastError = '';
  conn.on('error', (err: Error) => {
    // ioredis retries on its own; one line per distinct error, not one per retry.
    if (err.message !== lastError)
      log.warn({ redis: where, role, err: err.message }, 'redis connection error');
    lastError = err.message;
  });
  conn.on('ready', () => {
    if (lastError !== '') log.info({ redis: where, role }, 'redis connection restored');
    lastError = '';
  });
  try {
    await conn.connect();
    await conn.ping();
  } catch (err) {
    conn.disconnect();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot reach the cluster's Redis at ${where} (${reason}); start it or fix --cluster`);
  }
  return conn;
}

export async function quitRedis(conn: Redis): Promise<void> {
  if (conn.status === 'end') return;
  try {
    await conn.quit();
  } catch {
    conn.disconnect();
  }
}
