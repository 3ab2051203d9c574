import { type FlagSpec, pick, UsageError } from './flags.js';
import type { CliIo } from './io.js';

/** The flags of commands that talk to a running hub over REST. */
export const connectionFlags: readonly FlagSpec[] = [
  {
    name: 'hub',
    env: 'ECOHUB_URL',
    type: 'string',
    value: 'URL',
    help: 'The hub HTTP base URL',
    default: 'http://127.0.0.1:8080',
  },
  {
    name: 'api-key',
    env: 'ECOHUB_API_KEY',
    type: 'string',
    value: 'KEY',
    help: 'Partner API key or operator token; prefer the env variable',
  },
];

/** The hub URL (flag, env, default) checked to be http(s), and the credential if one was given. */
export function hubConnection(
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
): { hub: string; apiKey: string | undefined } {
  const [hubFlag, keyFlag] = connectionFlags as [FlagSpec, FlagSpec];
  const hub = pick(values, hubFlag, io.env)?.value ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\/[^\s]+$/.test(hub)) throw new UsageError(`--hub must be an http(s) URL, got '${hub}'`);
  return { hub, apiKey: pick(values, keyFlag, io.env)?.value };
}

/** One REST call; a refusal is an Error with the problem's code and detail. */
export async function call(
  hub: string,
  apiKey: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ res: Response; text: string }> {
  const res = await fetch(`${hub.replace(/\/+$/, '')}${path}`, {
    method,
    headers: {
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 400) {
    let detail = text;
    try {
      const problem = JSON.parse(text) as { code?: string; detail?: string };
      detail = `${problem.code ?? res.status}: ${problem.detail ?? text}`;
    } catch {}
    throw new Error(`the hub refused ${method} ${path} (${res.status}) ${detail}`);
  }
  return { res, text };
}

/** Rows as aligned columns under a header (the CLI's tables). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
