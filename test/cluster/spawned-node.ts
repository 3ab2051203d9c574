import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DatabaseTarget } from '../../src/store/database-url.js';
import { describeTarget } from '../../src/store/database-url.js';
import { ADMIN_TOKEN, type HttpHub, httpRequester } from '../support/hub.js';

const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** A hub node in its own process (`ecohub serve --cluster`), so a test can kill -9 it. */
export interface SpawnedNode extends HttpHub {
  readonly child: ChildProcess;
  readonly nodeId: string;
  readonly mqttUrl: string;
  readonly httpUrl: string;
  kill9(): Promise<void>;
}

export async function spawnNode(opts: {
  redisUrl: string;
  database: DatabaseTarget;
  dataDir: string;
  nodeId: string;
}): Promise<SpawnedNode> {
  const database = opts.database.kind === 'sqlite' ? `sqlite:${opts.database.file}` : opts.database.url;
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'serve',
      '--cluster',
      opts.redisUrl,
      '--node-id',
      opts.nodeId,
      '--database',
      database,
      '--data-dir',
      opts.dataDir,
      '--host',
      '127.0.0.1',
      '--http-port',
      '0',
      '--mqtt-port',
      '0',
      '--log-level',
      'warn',
      // Declared dead 6 s after its last beat (the default is 15 s), so a node-loss test is short.
      '--cluster-dead-after',
      '6s',
    ],
    {
      env: { ...process.env, ECOHUB_ADMIN_TOKEN: ADMIN_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const urls = await new Promise<{ http: string; mqtt: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`node ${opts.nodeId} did not start within 30 s:\n${output}`)),
      30_000,
    );
    const onData = (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
      const http = /ecohub (http:\/\/\S+)/.exec(output)?.[1];
      const mqtt = /MQTT \(TCP\)\s+(mqtt:\/\/\S+)/.exec(output)?.[1];
      if (http && mqtt) {
        clearTimeout(timer);
        resolve({ http, mqtt });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`node ${opts.nodeId} exited (${code}) on ${describeTarget(opts.database)}:\n${output}`),
      );
    });
  });
  return {
    child,
    nodeId: opts.nodeId,
    httpUrl: urls.http,
    mqttUrl: urls.mqtt,
    request: httpRequester(urls.http),
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
