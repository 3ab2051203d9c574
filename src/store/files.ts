import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * The database holds password hashes, token hashes and every device's history: no other local
 * user may read it. The folder is created 0700 and the files 0600. SQLite gives its `-wal`,
 * `-shm` and `-journal` files the mode of the database file (os_unix.c, findCreateFileMode), so
 * creating the database file 0600 before SQLite opens it covers them too.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Companion files SQLite keeps beside a database in WAL mode (and during a rollback). */
const COMPANIONS = ['-wal', '-shm', '-journal'];

/**
 * Creates `dir` (and missing parents) 0700. An existing folder is left as the operator made it;
 * `looseMode` is its mode when other local users may enter it, so the caller can warn.
 */
export function ensurePrivateDir(dir: string): { looseMode: number | undefined } {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    return { looseMode: undefined };
  }
  const mode = statSync(dir).mode & 0o777;
  return { looseMode: mode & 0o077 ? mode : undefined };
}

/**
 * Makes sure `file` exists with mode 0600 before SQLite opens it: a new file is created 0600
 * (never briefly wider), and an existing one (and its companions) written by an older hub is
 * tightened to 0600.
 */
export function ensurePrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const path of [file, ...COMPANIONS.map((suffix) => `${file}${suffix}`)]) tighten(path);
}

function tighten(path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return; // not there (a companion SQLite has not created yet)
  }
  if (mode & 0o077) chmodSync(path, mode & PRIVATE_FILE_MODE);
}
