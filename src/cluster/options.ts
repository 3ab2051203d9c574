import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * `--cluster redis://...`: this node joins the others that share the Redis server (MQTT fan-out,
 * sessions, presence, command routing) and the PostgreSQL database (everything the hub remembers).
 * A URL may hold a password: only `describeRedis` output reaches a log line or an error message.
 */
export interface ClusterOptions {
  readonly redisUrl: string;
  /** This node's name in /readyz, /metrics, logs and Redis keys; unique among live nodes. */
  readonly nodeId: string;
  /** How often the node renews its liveness key. */
  readonly heartbeatMs: number;
  /**
   * A node that has not renewed its liveness key for this long is dead and swept (default 7.5
   * heartbeats: 15 s). Well above the longest event-loop stall a loaded node sees, so a slow node
   * is not swept while it lives; far below a device's keepalive window, so a ghost does not last.
   */
  readonly deadAfterMs?: number;
  /** How long a connect waits for the node holding the same client id to close it. */
  readonly takeoverTimeoutMs: number;
}

export const CLUSTER_DEFAULTS = { heartbeatMs: 2000, takeoverTimeoutMs: 2000 };

export class ClusterUrlError extends Error {
  override readonly name = 'ClusterUrlError';
}

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A node id: `host-pid-xxxx` by default, so two processes on one machine never collide. */
export function defaultNodeId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '-')
      .slice(0, 40) || 'node';
  return `${host}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

export function checkNodeId(id: string): string {
  if (!NODE_ID.test(id))
    throw new ClusterUrlError(`node id must be 1-64 of A-Z a-z 0-9 . _ -, got '${id.slice(0, 80)}'`);
  return id;
}

export function parseRedisUrl(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text may hold a password: never echo it.
    throw new ClusterUrlError(
      'the cluster URL is not a valid URL (expected redis://[:password@]host:port[/db])',
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new ClusterUrlError(
      `unsupported cluster scheme '${url.protocol}' (expected redis:// or rediss://)`,
    );
  if (url.hostname === '')
    throw new ClusterUrlError('the cluster URL names no host (expected redis://host:port)');
  return text;
}

/** `redis://host:port/db` without user or password, for logs and messages. */
export function describeRedis(redisUrl: string): string {
  const url = new URL(redisUrl);
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}
