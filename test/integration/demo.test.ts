import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/hub.js';

/** The built demo (npm test builds before vitest runs). */
const DEMO = fileURLToPath(new URL('../../dist/firmware-sim/demo.js', import.meta.url));

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Runs one printed line in a shell, as a user pasting it would, to completion. */
function shell(
  line: string,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      reject(new Error(`'${line}' did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running printed line in its own process group and resolves with its first output line. */
function firstLineOf(line: string, timeoutMs = 60_000): Promise<string> {
  const child = spawn('sh', ['-c', line], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const stopGroup = () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  return new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      stopGroup();
      reject(new Error(`no output from '${line}' in ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      stopGroup();
      resolve(out.slice(0, newline));
    });
  });
}

describe('npm run demo', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  /** A private TMPDIR, so the test sees exactly which folders the demo creates and removes. */
  function privateTmp() {
    const dir = tempDir('ecohub-demo-test-');
    dirs.push(dir);
    return dir;
  }

  it('prints its usage for --help and starts nothing; a bad flag exits 2', async () => {
    const tmp = privateTmp();
    const env = { ...process.env, TMPDIR: tmp };
    const help = spawn(process.execPath, [DEMO, '--help'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    help.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    expect(await exited(help, 30_000)).toBe(0);
    for (const flag of ['--http-port', '--mqtt-port', '--help']) expect(out).toContain(flag);
    expect(out).not.toContain('is running');
    expect(readdirSync(tmp)).toEqual([]);

    const bad = spawn(process.execPath, [DEMO, '--http-port', 'eighty'], { env, stdio: 'ignore' });
    expect(await exited(bad, 30_000)).toBe(2);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('runs on the ports it is given; every command it prints works when pasted; Ctrl-C cleans up', {
    timeout: 240_000,
  }, async () => {
    const tmp = privateTmp();
    const demo = spawn(process.execPath, [DEMO, '--http-port', '0', '--mqtt-port', '0'], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      let err = '';
      demo.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const banner = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the demo did not start in 150 s:\n${out}${err}`)),
          150_000,
        );
        demo.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (/\(SDK\):\n.*\n/.test(out)) {
            clearTimeout(timer);
            resolve(out);
          }
        });
        demo.once('exit', (code) => reject(new Error(`the demo exited with ${code}:\n${out}${err}`)));
      });
      const lines = banner.split('\n');
      const lineAfter = (label: RegExp) => {
        const at = lines.findIndex((l) => label.test(l));
        expect(at, `a line matching ${label}`).toBeGreaterThanOrEqual(0);
        return (lines[at + 1] ?? '').trim();
      };
      const http = /API docs \(Swagger UI\)\s+(\S+)\/docs/.exec(banner)?.[1] ?? '';
      expect(http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(http).not.toMatch(/:8080$/);
      expect(readdirSync(tmp)).toHaveLength(1);

      // The SDK line: a real light, its import included, top-level await in a module.
      const sdk = lineAfter(/\(SDK\):$/);
      const light = /Switch the light ([0-9a-f]{16}) on/.exec(banner)?.[1];
      const switched = await shell(sdk);
      expect(switched.code, switched.stderr).toBe(0);
      expect(switched.stdout).toContain("status: 'ok'");

      const list = await shell(lineAfter(/^List my devices:$/));
      expect(list.code, list.stderr).toBe(0);
      const page = JSON.parse(list.stdout) as {
        items: Array<{ id: string; modelId: string; desired: Record<string, unknown> }>;
      };
      // Two devices of each example model, all claimed by the demo user.
      const models = readdirSync(fileURLToPath(new URL('../../examples/models/', import.meta.url))).filter(
        (f) => f.endsWith('.json'),
      );
      expect(page.items).toHaveLength(2 * models.length);
      const lamp = page.items.find((d) => d.id === light);
      expect(lamp?.modelId).toMatch(/\.light\./);

      // The credentials it prints work as printed.
      const field = (label: string) =>
        new RegExp(`^  ${label}\\s{2,}(.+)$`, 'm').exec(banner)?.[1]?.trim() ?? '';
      const get = async (path: string, token: string) =>
        (await fetch(`${http}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
      expect(await get('/v1/operator-tokens', field('operator token'))).toBe(200);
      expect(await get('/v1/partners/me', field('partner API key'))).toBe(200);
      expect(await get('/v1/me', field('demo user token'))).toBe(200);
      const [email, password] = field('demo user').split(' / ');
      const login = await fetch(`${http}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
      expect((await fetch(`${http}/docs`)).status).toBe(200);

      const watched = await firstLineOf(lineAfter(/^Watch the light/));
      expect(watched).toMatch(new RegExp(`^dev/${light}/\\S+ \\{`));
    } finally {
      demo.kill('SIGINT');
    }
    expect(await exited(demo, 30_000)).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
