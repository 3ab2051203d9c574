import type { Logger } from 'pino';
import type { DatabaseTarget } from './database-url.js';
import type { Engine } from './engine.js';
import { ensurePrivateDir } from './files.js';
import { runMigrations } from './migration-runner.js';
import { openEngine } from './open.js';

export interface HubStoreOptions {
  /** The hub's data folder (the SQLite file, firmware binaries): made private (0700) when new. */
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  /** PostgreSQL pool size. */
  readonly poolSize: number;
}

/** The hub's store, ready to serve: the data folder checked, the engine open, every migration applied. */
export async function openHubStore(options: HubStoreOptions, log: Logger): Promise<Engine> {
  const { looseMode } = ensurePrivateDir(options.dataDir);
  if (looseMode !== undefined) {
    log.warn(
      { dataDir: options.dataDir, mode: looseMode.toString(8) },
      'the data folder is open to other local users; chmod 700 it',
    );
  }
  const store = await openEngine(options.database, { log, poolSize: options.poolSize });
  try {
    const migration = await runMigrations(store);
    log.info({ ...migration, database: store.target, version: store.serverVersion }, 'database ready');
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
