import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveEnvOnly, serveFlags } from '../../src/cli/serve.js';
import { startHub, type TestHub } from '../support/hub.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The lines of a README section, from its `## title` to the next `## `. */
function section(title: string): string[] {
  const lines = README.split('\n');
  const start = lines.indexOf(`## ${title}`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('README', () => {
  it('lists every serve flag and environment variable, with its default, and nothing else', () => {
    const rows = section('Options')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| flag'))
      .map((l) =>
        // A cell's own bar is escaped in Markdown (`on\|off`).
        l.split(' | ').map((cell) =>
          cell
            .replace(/^\| ?| ?\|$/g, '')
            .replace(/\\\|/g, '|')
            .trim(),
        ),
      );
    const documented = rows.map(([flag, env, def]) => ({ flag, env, def }));

    const expected = [
      ...serveFlags.map((f) => ({
        flag: `\`--${f.name}${f.value ? ` ${f.value}` : ''}\``,
        env: `\`${f.env}\``,
        def: f.default !== undefined ? `\`${f.default}\`` : f.type === 'boolean' ? 'off' : 'none',
      })),
      ...serveEnvOnly.map((v) => ({ flag: '(env only)', env: `\`${v.env}\``, def: 'none' })),
    ];
    expect(documented).toEqual(expected);
    for (const name of ['--command-timeout MS', 'ECOHUB_PAYMENT_WEBHOOK_SECRET'])
      expect(README).toContain(name);
  });

  it('names every environment variable any command reads', () => {
    // Every ECOHUB_* name the hub, its commands and the demo read is a quoted literal in the source.
    const names = new Set<string>();
    for (const dir of ['src', 'firmware-sim']) {
      const root = fileURLToPath(new URL(`../../${dir}/`, import.meta.url));
      for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts') || file.includes('migrations')) continue;
        const text = readFileSync(`${root}${file}`, 'utf8');
        for (const [, name] of text.matchAll(/'(ECOHUB_[A-Z0-9_]+)'/g)) names.add(String(name));
      }
    }
    for (const name of ['ECOHUB_URL', 'ECOHUB_API_KEY', 'ECOHUB_MQTT_URL', 'ECOHUB_PAYMENT_WEBHOOK_SECRET'])
      expect(names).toContain(name);
    const missing = [...names].filter((name) => !new RegExp(`\\b${name}\\b`).test(README));
    expect(missing).toEqual([]);
  });

  describe('first requests with curl', () => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startHub();
    });
    afterAll(async () => {
      await hub.stop();
    });

    it('register, log in and list my devices as shown', { timeout: 60_000 }, async () => {
      const lines = section('First requests with curl');
      const block = lines.slice(lines.indexOf('```sh') + 1, lines.indexOf('```', lines.indexOf('```sh') + 1));
      const script = ['set -e', ...block].join('\n').replace(/^HUB=.*$/m, `HUB=${hub.httpUrl}`);
      const { code, stdout, stderr } = await new Promise<{
        code: number | null;
        stdout: string;
        stderr: string;
      }>((resolve) => {
        const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
        });
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
        });
        child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
      });
      expect(code, stderr).toBe(0);
      // curl prints each answer without a newline: the three JSON documents follow each other.
      const answers = stdout
        .trim()
        .split(/(?<=\})(?=\{)/)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(answers[0]).toMatchObject({ email: 'me@example.com', displayName: 'Me' });
      expect(answers[1]).toMatchObject({ email: 'me@example.com', id: answers[0]?.['id'] });
      expect(answers[2]).toEqual({ items: [], next: null });
    });
  });
});
