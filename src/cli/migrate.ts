import { DEFAULTS } from '../config.js';
import { createLogger } from '../log.js';
import { describeTarget } from '../store/database-url.js';
import { runMigrations } from '../store/migration-runner.js';
import { openEngine } from '../store/open.js';
import { databaseFlag, databaseTarget } from './database-flag.js';
import { type FlagSpec, formatHelp, parseFlags, pick } from './flags.js';
import type { CliIo } from './io.js';

const flags: readonly FlagSpec[] = [
  databaseFlag,
  {
    name: 'data-dir',
    env: 'ECOHUB_DATA_DIR',
    type: 'string',
    value: 'DIR',
    help: 'Folder holding ecohub.db (when --database is not given)',
    default: DEFAULTS.dataDir,
  },
];

export const MIGRATE_HELP = formatHelp(
  'ecohub migrate [options]',
  "Brings the database's schema up to this hub's version without serving, then exits. Safe while\n" +
    'hubs run or start: migrations take a lock (PostgreSQL: an advisory lock; SQLite: the write lock),\n' +
    'so each is applied once. A database from a newer hub is refused.',
  flags,
);

export async function runMigrate(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, flags);
  if (values['help']) {
    io.stdout(MIGRATE_HELP);
    return 0;
  }
  const dataDir = pick(values, flags[1] as FlagSpec, io.env)?.value ?? DEFAULTS.dataDir;
  const target = databaseTarget(pick(values, databaseFlag, io.env), dataDir);
  const engine = await openEngine(target, { log: createLogger('silent'), poolSize: 2 });
  try {
    const result = await runMigrations(engine);
    const where = describeTarget(target);
    io.stdout(
      result.applied.length === 0
        ? `${where}: up to date at version ${result.to}\n`
        : `${where}: migrated from version ${result.from} to ${result.to} (${result.applied.join(', ')})\n`,
    );
    return 0;
  } finally {
    await engine.close();
  }
}
