import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULTS } from '../config.js';
import { openDatabase } from '../store/database.js';
import { ensurePrivateFile } from '../store/files.js';
import { databaseFlag, sqliteFile } from './database-flag.js';
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
  { name: 'force', type: 'boolean', help: 'Overwrite FILE if it exists' },
  databaseFlag,
];

export const BACKUP_HELP = formatHelp(
  'ecohub backup FILE [options]',
  "Writes a consistent copy of the hub's database to FILE using SQLite's online backup:\nthe hub may keep running and writing while it is taken.",
  flags,
);

export async function runBackup(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, flags, { positionals: true });
  if (values['help']) {
    io.stdout(BACKUP_HELP);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0]) {
    throw new UsageError('backup needs exactly one FILE to write (ecohub backup FILE)');
  }
  const target = resolve(positionals[0]);
  if (existsSync(target) && !values['force']) {
    throw new UsageError(`FILE ${target} exists; pass --force to overwrite it`);
  }
  const dataDir = pick(values, flags[0] as FlagSpec, io.env)?.value ?? DEFAULTS.dataDir;
  const database = pick(values, databaseFlag, io.env);
  const source = sqliteFile(database, dataDir, 'back it up with pg_dump (docs/operations.md, "PostgreSQL")');
  if (!existsSync(source)) {
    throw new UsageError(
      database ? `${database.source}: no database at ${source}` : `--data-dir ${dataDir} holds no ecohub.db`,
    );
  }
  const db = openDatabase({ file: source, readonly: true });
  try {
    // The copy holds the same secrets' hashes as the original: 0600 from the first byte.
    ensurePrivateFile(target);
    let pages = 0;
    await db.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        pages = totalPages;
        if (io.isTTY) io.stderr(`\rbackup: ${totalPages - remainingPages}/${totalPages} pages`);
        return 1000;
      },
    });
    if (io.isTTY) io.stderr('\n');
    io.stdout(`backup written: ${target} (${pages} pages)\n`);
    return 0;
  } finally {
    db.close();
  }
}
