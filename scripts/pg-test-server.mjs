#!/usr/bin/env node
// A throwaway PostgreSQL cluster for `npm run test:postgres`, from the distribution's own binaries
// (Debian: apt-get install postgresql, which puts them in /usr/lib/postgresql/<major>/bin).
//
//   node scripts/pg-test-server.mjs start [--dir DIR]   prints the superuser URL on stdout
//   node scripts/pg-test-server.mjs stop DIR            stops the cluster and removes DIR
//
// The cluster listens on 127.0.0.1 at a free port with password (SCRAM) authentication, so tests can
// check what a wrong password does. fsync stays on: the kill -9 tests rely on committed meaning on disk.
// PostgreSQL refuses to run as root; when this script runs as root the cluster runs as the `postgres`
// system user (created by Debian's package).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MIN_MAJOR = 15;

function fail(message) {
  process.stderr.write(`pg-test-server: ${message}\n`);
  process.exit(1);
}

/** The newest PostgreSQL >= 15 bin folder: ECOHUB_PG_BIN, else /usr/lib/postgresql/<major>/bin. */
function binDir() {
  const fromEnv = process.env.ECOHUB_PG_BIN;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'initdb'))) fail(`ECOHUB_PG_BIN=${fromEnv} holds no initdb`);
    return fromEnv;
  }
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .map(Number)
        .filter(
          (n) => Number.isInteger(n) && n >= MIN_MAJOR && existsSync(join(root, String(n), 'bin', 'initdb')),
        )
        .sort((a, b) => b - a)
    : [];
  if (majors.length === 0) {
    fail(
      `no PostgreSQL ${MIN_MAJOR}+ server binaries in ${root}/<major>/bin.\n` +
        '  Debian/Ubuntu: apt-get install postgresql (or set ECOHUB_PG_BIN to a folder holding initdb and pg_ctl)',
    );
  }
  return join(root, String(majors[0]), 'bin');
}

/** Who runs the cluster: ourselves, or the postgres system user when we are root. */
function runAs() {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) fail('running as root and there is no postgres system user to run the cluster as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(cmd, args, user, options = {}) {
  const result = spawnSync(cmd, args, { ...user, encoding: 'utf8', ...options });
  if (result.status !== 0) {
    fail(
      `${cmd} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr || result.stdout}`,
    );
  }
  return result.stdout;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function start(args) {
  const dirFlag = args.indexOf('--dir');
  const dir =
    dirFlag >= 0
      ? resolve(args[dirFlag + 1] ?? fail('--dir needs a folder'))
      : mkdtempSync(join(tmpdir(), 'ecohub-pg-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(join(dir, 'data'))) fail(`${dir} already holds a cluster; stop it first`);
  const bin = binDir();
  const user = runAs();
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid);
  const password = randomBytes(18).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user.uid !== undefined) chownSync(pwfile, user.uid, user.gid);
  run(
    join(bin, 'initdb'),
    [
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
    ],
    user,
  );
  rmSync(pwfile);
  const port = await freePort();
  const options = [
    `-c port=${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=on',
    '-c max_connections=300',
  ].join(' ');
  run(
    join(bin, 'pg_ctl'),
    ['-D', join(dir, 'data'), '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start'],
    user,
  );
  const version = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  writeFileSync(join(dir, 'url'), `${url}\n`, { mode: 0o600 });
  process.stderr.write(
    `pg-test-server: ${version} listening on 127.0.0.1:${port}, cluster in ${dir}\n` +
      `  stop it with: node scripts/pg-test-server.mjs stop ${dir}\n`,
  );
  process.stdout.write(`${url}\n`);
}

function stop(args) {
  const dir = args[0] ? resolve(args[0]) : fail('stop needs the cluster folder (printed by start)');
  if (!existsSync(join(dir, 'data'))) fail(`${dir} holds no cluster`);
  const result = spawnSync(join(binDir(), 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'], {
    ...runAs(),
    encoding: 'utf8',
  });
  if (result.status !== 0)
    process.stderr.write(`pg-test-server: pg_ctl stop: ${result.stderr || result.stdout}`);
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`pg-test-server: stopped and removed ${dir}\n`);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'start') await start(rest);
else if (command === 'stop') stop(rest);
else fail('usage: pg-test-server.mjs start [--dir DIR] | stop DIR');
