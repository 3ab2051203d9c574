import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (npm test builds before vitest runs). */
export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ecohub ARGS` to completion, bounded by `timeoutMs`. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 15_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ecohub ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly httpPort: number;
  readonly mqttPort: number;
  output(): string;
  /** Resolves once the output (stdout and stderr) matches `pattern`; rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code, bounded. */
  exited(timeoutMs?: number): Promise<number | null>;
}

/** Spawns `ecohub serve` on ports chosen by the OS and resolves once its "hub listening" log line appears. */
export function spawnServe(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 15_000,
): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--host', '127.0.0.1', '--http-port', '0', '--mqtt-port', '0', ...args],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let pending = '';
    const outputWaiters = new Set<() => void>();
    const waitForOutput = (pattern: RegExp, ms = 10_000) =>
      new Promise<string>((res, rej) => {
        const check = () => {
          if (!pattern.test(out)) return;
          outputWaiters.delete(check);
          clearTimeout(t);
          res(out);
        };
        const t = setTimeout(() => {
          outputWaiters.delete(check);
          rej(new Error(`output did not match ${pattern} within ${ms} ms:\n${out}`));
        }, ms);
        outputWaiters.add(check);
        check();
      });
    const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
      for (const waiter of [...outputWaiters]) waiter();
    });
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      out += text;
      for (const waiter of [...outputWaiters]) waiter();
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('"hub listening"')) continue;
        const info = JSON.parse(line) as { httpPort: number; mqttPort: number };
        clearTimeout(timer);
        resolve({
          child,
          httpPort: info.httpPort,
          mqttPort: info.mqttPort,
          output: () => out,
          waitForOutput,
          exited: (ms = 10_000) =>
            Promise.race([
              exit,
              new Promise<null>((_, rej) =>
                setTimeout(() => rej(new Error(`no exit within ${ms} ms`)), ms).unref(),
              ),
            ]),
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before listening:\n${out}`));
    });
  });
}
