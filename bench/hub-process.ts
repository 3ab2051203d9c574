import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.js';

export interface HubProcessOptions {
  /** Repository root: the hub runs from dist/src/cli/main.js under it. */
  readonly root: string;
  readonly adminToken: string;
  /** Folder for the V8 CPU profile (node --cpu-prof); none = not profiled. */
  readonly cpuProfileDir?: string;
  /** More node flags for the hub (bench/heap-per-connection.ts: --heapsnapshot-signal). */
  readonly nodeFlags?: readonly string[];
  readonly startTimeoutMs?: number;
  /** Told when the hub exits without being asked to (with the end of its logs). */
  readonly onUnexpectedExit?: (detail: string) => void;
}

export interface HubProcess {
  readonly pid: number;
  /** The hub's working folder (a heap snapshot taken on a signal is written there). */
  readonly cwd: string;
  readonly httpUrl: string;
  readonly mqttPort: number;
  readonly dataDir: string;
  /** SIGTERM, wait for the graceful shutdown (bounded), then SIGKILL; removes the data folder. */
  stop(): Promise<void>;
}

interface ListeningLine {
  readonly httpPort: number;
  readonly mqttPort: number;
}

function listeningLine(log: string): ListeningLine | undefined {
  for (const line of log.split('\n')) {
    if (!line.includes('"hub listening"')) continue;
    try {
      const entry: unknown = JSON.parse(line);
      if (typeof entry !== 'object' || entry === null) continue;
      const { httpPort, mqttPort } = entry as Record<string, unknown>;
      if (typeof httpPort === 'number' && typeof mqttPort === 'number') return { httpPort, mqttPort };
    } catch {
      // a partial line: read again on the next poll
    }
  }
  return undefined;
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts `ecohub serve` as a child process on 127.0.0.1, ports chosen by the OS, data in a fresh
 * temporary folder. Its JSON log goes to a file in that folder rather than a pipe, so the bench
 * spends no CPU reading it; the "hub listening" line there gives the ports.
 */
export async function startHub(options: HubProcessOptions, cleanup: Cleanup): Promise<HubProcess> {
  const base = mkdtempSync(join(tmpdir(), 'ecohub-bench-'));
  const removeDir = cleanup.dir(base);
  const dataDir = join(base, 'data');
  const logPath = join(base, 'hub.log');
  const errPath = join(base, 'hub.err');
  const out = openSync(logPath, 'a');
  const err = openSync(errPath, 'a');
  const nodeFlags = [
    ...(options.cpuProfileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ...(options.nodeFlags ?? []),
  ];
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      join(options.root, 'dist', 'src', 'cli', 'main.js'),
      'serve',
      '--host',
      '127.0.0.1',
      '--http-port',
      '0',
      '--mqtt-port',
      '0',
      '--data-dir',
      dataDir,
      // The round trip sends 10,000 commands from one phone back to back: far past the per-user
      // limit a real phone gets (20 a second), which would measure RATE_LIMITED replies instead.
      '--command-rate',
      '100000',
    ],
    {
      cwd: base,
      env: { ...process.env, ECOHUB_ADMIN_TOKEN: options.adminToken, NODE_OPTIONS: '' },
      stdio: ['ignore', out, err],
    },
  );
  closeSync(out);
  closeSync(err);
  cleanup.child(child);
  let exited: string | undefined;
  let stopping = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ?? `code ${code}`;
      if (!stopping) {
        options.onUnexpectedExit?.(
          `hub pid ${child.pid} exited unexpectedly (${exited}):\n${`${tail(errPath, 5)}\n${tail(logPath, 5)}`.trim()}`,
        );
      }
      resolve();
    }),
  );

  const stop = async (): Promise<void> => {
    stopping = true;
    unregister();
    if (exited === undefined) {
      child.kill('SIGTERM');
      // The hub bounds its own shutdown at 5 s; a CPU profile is written after that.
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    removeDir();
  };
  const unregister = cleanup.add('hub', stop);

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    let log = '';
    try {
      log = readFileSync(logPath, 'utf8');
    } catch {
      // not written yet
    }
    const ports = listeningLine(log);
    if (ports !== undefined && child.pid !== undefined) {
      return {
        pid: child.pid,
        cwd: base,
        httpUrl: `http://127.0.0.1:${ports.httpPort}`,
        mqttPort: ports.mqttPort,
        dataDir,
        stop,
      };
    }
    if (exited !== undefined || Date.now() > deadline) {
      const why = exited !== undefined ? `exited (${exited})` : 'did not log "hub listening" in time';
      const detail = `${tail(errPath)}\n${tail(logPath)}`.trim();
      await stop();
      throw new Error(`hub ${why}${detail ? `:\n${detail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
