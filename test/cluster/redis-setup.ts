import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

const HOW_TO_GET_ONE = `
  The cluster suite starts its own throwaway redis-server (no persistence, loopback, a free port).
  Install it: apt-get install redis-server (Debian/Ubuntu), or put redis-server on PATH, or set
  ECOHUB_REDIS_SERVER=/path/to/redis-server.`;

function findRedisServer(): string {
  const named = process.env['ECOHUB_REDIS_SERVER'];
  if (named) {
    if (!existsSync(named)) throw new Error(`ECOHUB_REDIS_SERVER=${named} does not exist.${HOW_TO_GET_ONE}`);
    return named;
  }
  for (const dir of (process.env['PATH'] ?? '')
    .split(':')
    .concat(['/usr/bin', '/usr/sbin', '/usr/local/bin'])) {
    if (dir && existsSync(`${dir}/redis-server`)) return `${dir}/redis-server`;
  }
  throw new Error(`redis-server was not found: the cluster suite needs it.${HOW_TO_GET_ONE}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${output()}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server did not answer within 10 s:\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Global setup of `npm run test:cluster`: a real redis-server for the nodes, stopped at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binary = findRedisServer();
  const port = await freePort();
  let output = '';
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  const url = `redis://127.0.0.1:${port}`;
  await waitReady(url, child, () => output);
  project.provide('redisUrl', url);
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
}
