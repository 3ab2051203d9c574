import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Cleanup } from './cleanup.js';

export interface MosquittoBinary {
  readonly path: string;
  readonly version: string;
}

export interface MosquittoProcess {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

/** Finds `mosquitto` on PATH or in /usr/sbin (Debian installs it there, outside a user's PATH). */
export function findMosquitto(env: NodeJS.ProcessEnv): MosquittoBinary | undefined {
  const dirs = [...(env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, 'mosquitto');
    if (!existsSync(path)) continue;
    // `mosquitto -h` prints "mosquitto version X.Y.Z" and exits non-zero.
    const probe = spawnSync(path, ['-h'], { encoding: 'utf8', timeout: 5000 });
    const version = /mosquitto version (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1];
    if (version !== undefined) return { path, version };
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The reference broker as plainly configured as a fair comparison allows: one loopback
 * listener, anonymous, no persistence, a queue deep enough that nothing is dropped while the
 * subscriber catches up, and TCP_NODELAY like the hub (without it every request/response pair
 * waits on Nagle + delayed ACK). `max_inflight_messages 0` lifts the default of 20 unacknowledged
 * QoS 1 messages towards a subscriber: with it, 200 publishers get acknowledged ~10x faster than
 * the one subscriber is served and the queue grows without bound (no steady state to measure).
 */
export function mosquittoConfig(port: number): string {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'max_queued_messages 1000000',
    'max_inflight_messages 0',
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

export async function startMosquitto(binary: MosquittoBinary, cleanup: Cleanup): Promise<MosquittoProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'ecohub-bench-mosquitto-'));
  const removeDir = cleanup.dir(dir);
  const port = await freePort();
  const confPath = join(dir, 'mosquitto.conf');
  writeFileSync(confPath, mosquittoConfig(port));
  const logPath = join(dir, 'mosquitto.log');
  const log = openSync(logPath, 'a');
  const child = spawn(binary.path, ['-c', confPath], { stdio: ['ignore', log, log] });
  closeSync(log);
  cleanup.child(child);
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ?? `code ${code}`;
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    unregister();
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    removeDir();
  };
  const unregister = cleanup.add('mosquitto', stop);
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (exited !== undefined || Date.now() > deadline) {
      let detail = '';
      try {
        detail = readFileSync(logPath, 'utf8').trim();
      } catch {
        // no log
      }
      await stop();
      throw new Error(
        `mosquitto ${exited !== undefined ? `exited (${exited})` : 'did not listen'}: ${detail}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (child.pid === undefined) throw new Error('mosquitto has no pid');
  return { pid: child.pid, port, stop };
}
