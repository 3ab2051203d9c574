import { dirname } from 'node:path';
import { DEFAULTS } from '../config.js';
import { HubError } from '../errors.js';
import { OperatorTokens, type OperatorTokenView } from '../identity/operator-tokens.js';
import { createLogger } from '../log.js';
import { ensurePrivateDir } from '../store/files.js';
import { runMigrations } from '../store/migration-runner.js';
import { openEngine } from '../store/open.js';
import type { PageKey } from '../store/page.js';
import { databaseFlag, databaseTarget } from './database-flag.js';
import { type FlagSpec, formatHelp, parseFlags, pick, UsageError } from './flags.js';
import type { CliIo } from './io.js';

const dataDirFlag: FlagSpec = {
  name: 'data-dir',
  env: 'ECOHUB_DATA_DIR',
  type: 'string',
  value: 'DIR',
  help: 'Folder holding ecohub.db (when --database is not given)',
  default: DEFAULTS.dataDir,
};

const tokenFlags: readonly FlagSpec[] = [
  dataDirFlag,
  { name: 'label', type: 'string', value: 'TEXT', help: 'What the token is for', default: 'cli' },
  databaseFlag,
];
const listFlags: readonly FlagSpec[] = [
  dataDirFlag,
  { name: 'json', type: 'boolean', help: 'Print JSON (one array) instead of a table' },
  databaseFlag,
];
const revokeFlags: readonly FlagSpec[] = [dataDirFlag, databaseFlag];

export const ADMIN_HELP = [
  formatHelp(
    'ecohub admin token [options]',
    'Mints a new operator token and prints it once (only its hash is stored). Works while the hub runs.',
    tokenFlags,
  ),
  formatHelp(
    'ecohub admin tokens [options]',
    'Lists operator tokens (id, label, source, created, last used, revoked), never their secrets.',
    listFlags,
  ),
  formatHelp(
    'ecohub admin revoke ID [options]',
    'Revokes the operator token ID (see `ecohub admin tokens`); the running hub refuses it from its next request.',
    revokeFlags,
  ),
].join('\n');

async function withEngine<T>(
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  fn: (tokens: OperatorTokens) => Promise<T>,
): Promise<T> {
  const dataDir = pick(values, dataDirFlag, io.env)?.value ?? DEFAULTS.dataDir;
  const target = databaseTarget(pick(values, databaseFlag, io.env), dataDir);
  if (target.kind === 'sqlite') ensurePrivateDir(dirname(target.file));
  const log = createLogger('silent');
  const engine = await openEngine(target, { log, poolSize: 2 });
  try {
    await runMigrations(engine);
    return await fn(new OperatorTokens({ store: engine, log, now: Date.now }));
  } finally {
    await engine.close();
  }
}

async function allTokens(tokens: OperatorTokens): Promise<OperatorTokenView[]> {
  const out: OperatorTokenView[] = [];
  let after: PageKey | undefined;
  do {
    const page = await tokens.list({ after, limit: 1000 });
    out.push(...page.items);
    after = page.next ?? undefined;
  } while (after !== undefined);
  return out;
}

function table(rows: readonly OperatorTokenView[]): string {
  const header = ['ID', 'SOURCE', 'LABEL', 'CREATED', 'LAST USED', 'REVOKED'];
  const cells = rows.map((t) => [
    t.id,
    t.source,
    t.label,
    t.createdAt,
    t.lastUsedAt ?? '-',
    t.revokedAt ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[header, ...cells].map(line).join('\n')}\n`;
}

export async function runAdmin(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.stdout(ADMIN_HELP);
    return sub === undefined ? 2 : 0;
  }
  switch (sub) {
    case 'token': {
      const { values } = parseFlags(rest, tokenFlags);
      if (values['help']) return help(io);
      const label = typeof values['label'] === 'string' ? values['label'] : 'cli';
      if (label.length < 1 || label.length > 100) throw new UsageError('--label must be 1 to 100 characters');
      const minted = await withEngine(values, io, (tokens) => tokens.mint(label, 'cli'));
      io.stdout(`${minted.token}\n`);
      return 0;
    }
    case 'tokens': {
      const { values } = parseFlags(rest, listFlags);
      if (values['help']) return help(io);
      const rows = await withEngine(values, io, allTokens);
      io.stdout(values['json'] ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
      return 0;
    }
    case 'revoke': {
      const { values, positionals } = parseFlags(rest, revokeFlags, { positionals: true });
      if (values['help']) return help(io);
      const [id, ...extra] = positionals;
      if (id === undefined || extra.length > 0) {
        throw new UsageError('revoke needs exactly one token ID (see ecohub admin tokens)');
      }
      try {
        const view = await withEngine(values, io, (tokens) => tokens.revoke(id));
        io.stdout(`operator token ${view.id} (${view.label}) revoked at ${view.revokedAt ?? '?'}\n`);
        return 0;
      } catch (err) {
        if (err instanceof HubError && err.code === 'NOT_FOUND') {
          io.stderr(`ecohub: no operator token '${id}' (see ecohub admin tokens)\n`);
          return 1;
        }
        throw err;
      }
    }
    default:
      throw new UsageError(`unknown admin command '${sub}' (admin commands: token, tokens, revoke)`);
  }
}

function help(io: CliIo): number {
  io.stdout(ADMIN_HELP);
  return 0;
}
