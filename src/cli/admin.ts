import { join } from 'node:path';
import { DEFAULTS } from '../config.js';
import { DATABASE_FILE } from '../hub.js';
import { IdentityService } from '../identity/service.js';
import { createLogger } from '../log.js';
import { openDatabase } from '../store/database.js';
import { ensurePrivateDir } from '../store/files.js';
import { migrations } from '../store/migrations/index.js';
import { migrate } from '../store/migrations.js';
import { type FlagSpec, formatHelp, parseFlags, pick, UsageError } from './flags.js';
import type { CliIo } from './io.js';

const flags: readonly FlagSpec[] = [
  {
    name: 'data-dir',
    env: 'ECOHUB_DATA_DIR',
    type: 'string',
    value: 'DIR',
    help: 'Folder holding ecohub.db',
    default: DEFAULTS.dataDir,
  },
  { name: 'label', type: 'string', value: 'TEXT', help: 'What the token is for', default: 'cli' },
];

export const ADMIN_HELP = formatHelp(
  'ecohub admin token [options]',
  'Mints a new operator token and prints it once (only its hash is stored). Works while the hub runs.',
  flags,
);

export async function runAdmin(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.stdout(ADMIN_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'token') throw new UsageError(`unknown admin command '${sub}' (try: ecohub admin token)`);
  const { values } = parseFlags(rest, flags);
  if (values['help']) {
    io.stdout(ADMIN_HELP);
    return 0;
  }
  const label = typeof values['label'] === 'string' ? values['label'] : 'cli';
  if (label.length < 1 || label.length > 100) throw new UsageError('--label must be 1 to 100 characters');
  const dataDir = pick(values, flags[0] as FlagSpec, io.env)?.value ?? DEFAULTS.dataDir;
  ensurePrivateDir(dataDir);
  const db = openDatabase({ file: join(dataDir, DATABASE_FILE) });
  try {
    migrate(db, migrations);
    const identities = new IdentityService({
      db,
      log: createLogger('silent'),
      now: Date.now,
      tokenTtlMs: DEFAULTS.tokenTtlMs,
    });
    io.stdout(`${identities.mintAdminToken(label)}\n`);
    return 0;
  } finally {
    db.close();
  }
}
