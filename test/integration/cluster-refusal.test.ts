import { describe, expect, it } from 'vitest';
import { serveOptions } from '../../src/cli/serve.js';
import { startHub } from '../support/hub.js';

describe('cluster mode on the embedded default', () => {
  it('refuses to start a cluster node on SQLite, naming what it needs', async () => {
    await expect(
      startHub({
        cluster: { redisUrl: 'redis://127.0.0.1:1', nodeId: 'n1', heartbeatMs: 500, takeoverTimeoutMs: 500 },
      }),
    ).rejects.toThrow(/cluster mode \(--cluster\) needs the shared PostgreSQL database/);
  });

  it('reads --cluster and --node-id from flags and environment, and refuses a node id alone', () => {
    const input = serveOptions(['--cluster', 'redis://127.0.0.1:6379', '--node-id', 'hub-a'], {});
    expect(input).not.toBe('help');
    if (input === 'help') return;
    expect(input.cluster?.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(input.cluster?.nodeId).toBe('hub-a');
    const fromEnv = serveOptions([], { ECOHUB_CLUSTER_URL: 'redis://r:6379' });
    expect(fromEnv !== 'help' && fromEnv.cluster?.nodeId).toMatch(/^[A-Za-z0-9.-]+-\d+-[0-9a-f]{4}$/);
    expect(() => serveOptions(['--node-id', 'x'], {})).toThrow(/--node-id needs --cluster/);
    expect(() => serveOptions(['--cluster', 'mqtt://x'], {})).toThrow(
      /--cluster: unsupported cluster scheme/,
    );
  });

  it('reads --cluster-dead-after as a duration of at least two heartbeats, only with --cluster', () => {
    const base = ['--cluster', 'redis://127.0.0.1:6379'];
    const input = serveOptions([...base, '--cluster-dead-after', '30s'], {});
    expect(input !== 'help' && input.cluster?.deadAfterMs).toBe(30_000);
    const byDefault = serveOptions(base, {});
    expect(byDefault !== 'help' && byDefault.cluster?.deadAfterMs).toBeUndefined();
    const fromEnv = serveOptions(base, { ECOHUB_CLUSTER_DEAD_AFTER: '1m' });
    expect(fromEnv !== 'help' && fromEnv.cluster?.deadAfterMs).toBe(60_000);
    expect(() => serveOptions([...base, '--cluster-dead-after', '2s'], {})).toThrow(
      /--cluster-dead-after must be a duration like 90s, 10m, 2h or 2d, from 4s to 5m, got '2s'/,
    );
    expect(() => serveOptions([...base, '--cluster-dead-after', '15'], {})).toThrow(
      /--cluster-dead-after must be/,
    );
    expect(() => serveOptions(['--cluster-dead-after', '30s'], {})).toThrow(
      /--cluster-dead-after needs --cluster/,
    );
  });
});
