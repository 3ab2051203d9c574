import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { csvCell } from '../community/digest.js';
import { parsePositiveInt, UsageError } from './flags.js';
import { call } from './hub-api.js';
import type { CliIo } from './io.js';
import { statusFlag, textFlag, type Values } from './text-flags.js';

/** Posts per request by default: the list API's largest page. */
const PAGE = 1000;
const STATUSES = ['open', 'planned', 'in-beta', 'shipped', 'declined', 'duplicate'] as const;

export const EXPORT_CSV_HEADER =
  'post_id,model_id,kind,status,duplicate_of,title,votes_total,votes_verified,votes_last_7_days,' +
  'locked,hidden_reason,created_at,updated_at';

interface ExportedPost {
  id: string;
  modelId: string;
  kind: string;
  status: string;
  duplicateOf: string | null;
  title: string;
  votes: { total: number; verified: number; last7Days: number };
  locked: boolean;
  hidden: { reason: string } | null;
  createdAt: string;
  updatedAt: string;
}

function csvLine(p: ExportedPost): string {
  return `${[
    p.id,
    p.modelId,
    p.kind,
    p.status,
    p.duplicateOf,
    p.title,
    p.votes.total,
    p.votes.verified,
    p.votes.last7Days,
    p.locked ? 'true' : 'false',
    p.hidden?.reason ?? null,
    p.createdAt,
    p.updatedAt,
  ]
    .map(csvCell)
    .join(',')}\n`;
}

function formatOf(values: Values): { format: 'jsonl' | 'csv'; out: string | undefined } {
  const out = typeof values['out'] === 'string' ? values['out'] : undefined;
  if (out === '') throw new UsageError('--out must name a file');
  const byName = out?.endsWith('.csv') ? 'csv' : out?.endsWith('.jsonl') ? 'jsonl' : undefined;
  if (out !== undefined && byName === undefined) {
    throw new UsageError(`--out must end in .jsonl or .csv, got '${out}'`);
  }
  const given = values['format'];
  if (given !== undefined && given !== 'jsonl' && given !== 'csv') {
    throw new UsageError(`--format must be jsonl or csv, got '${String(given)}'`);
  }
  if (given !== undefined && byName !== undefined && given !== byName) {
    throw new UsageError(`--format ${given} does not match --out ${out} (a .${byName} file)`);
  }
  if (out !== undefined && existsSync(out) && !values['force']) {
    throw new UsageError(`--out ${out} exists; pass --force to overwrite it`);
  }
  return { format: given ?? byName ?? 'jsonl', out };
}

/**
 * Every post of the caller's models (the operator: every model), newest first, with its votes and
 * status, as JSON lines or CSV. Pages through the list API so an export of any size streams;
 * progress goes to stderr.
 */
export async function runCommunityExport(
  hub: string,
  apiKey: string,
  values: Values,
  io: CliIo,
): Promise<number> {
  const { format, out } = formatOf(values);
  const model = textFlag(values, 'model', 128, false);
  const status = statusFlag(values, STATUSES);
  const pageSize = parsePositiveInt(
    { value: String(values['page-size'] ?? PAGE), source: '--page-size' },
    PAGE,
  );
  const query = new URLSearchParams({ sort: 'new', limit: String(pageSize) });
  if (status !== undefined) query.set('status', status);
  const base = model === undefined ? '/v1/posts' : `/v1/models/${encodeURIComponent(model)}/posts`;

  const file = out === undefined ? undefined : createWriteStream(out, { mode: 0o600 });
  const write = async (text: string) => {
    if (file === undefined) io.stdout(text);
    else if (!file.write(text)) await once(file, 'drain');
  };
  const started = performance.now();
  let done = 0;
  let pages = 0;
  let cursor: string | null = null;
  try {
    if (format === 'csv') await write(`${EXPORT_CSV_HEADER}\n`);
    do {
      let page: { items: ExportedPost[]; next: string | null };
      try {
        const path = `${base}?${query}${cursor === null ? '' : `&cursor=${cursor}`}`;
        page = JSON.parse((await call(hub, apiKey, 'GET', path)).text) as typeof page;
      } catch (err) {
        io.stderr(`${io.isTTY ? '\n' : ''}ecohub: ${err instanceof Error ? err.message : String(err)}\n`);
        io.stderr(`${done} posts were exported before the failure${out ? ` and are in ${out}` : ''}\n`);
        return 1;
      }
      await write(page.items.map((p) => (format === 'csv' ? csvLine(p) : `${JSON.stringify(p)}\n`)).join(''));
      done += page.items.length;
      pages++;
      cursor = page.next;
      const seconds = (performance.now() - started) / 1000;
      const line = `exported ${done} posts (${pages} pages, ${Math.round(done / Math.max(seconds, 0.001))}/s)`;
      io.stderr(io.isTTY ? `\r${line}` : `${line}\n`);
    } while (cursor !== null);
  } finally {
    if (file !== undefined) await new Promise<void>((resolve) => file.end(() => resolve()));
  }
  if (io.isTTY) io.stderr('\n');
  io.stderr(`done: ${done} posts as ${format}${out ? ` in ${out}` : ''}\n`);
  return 0;
}
