#!/usr/bin/env node
import { VERSION } from '../version.js';
import { ADMIN_HELP, runAdmin } from './admin.js';
import { BACKUP_HELP, runBackup } from './backup.js';
import { CERT_HELP, runCert } from './cert.js';
import { COMMUNITY_HELP, runCommunity } from './community.js';
import { UsageError } from './flags.js';
import type { CliIo } from './io.js';
import { MIGRATE_HELP, runMigrate } from './migrate.js';
import { PROVISION_HELP, runProvision } from './provision.js';
import { runServe, SERVE_HELP } from './serve.js';
import { runSpec, SPEC_HELP } from './spec.js';

const HELP = `ecohub ${VERSION}: device hub for a consumer IoT ecosystem

Usage: ecohub <command> [options]

Commands:
  serve              Run the hub (MQTT over TCP and WebSocket, REST, OpenAPI, Swagger UI)
  migrate            Apply database migrations (SQLite or PostgreSQL) without serving
  backup FILE        Write an online backup of the database to FILE
  admin token        Mint a new operator token (admin tokens: list; admin revoke ID: revoke)
  provision          Provision devices through the API in chunks, with progress, into a CSV/JSON file
  spec lint FILE...  Check device model documents against the spec and quality rules
  spec import miot FILE...  Convert MIoT-Spec-V2 instance documents into model documents
  spec export miot FILE     Convert a model document into a MIoT-Spec-V2 instance document
  cert run|report|key|verify  Run certification, fetch a signed report, verify one offline
  community queue|hide|restore|lock|dismiss|status|export  Moderate owners' posts, export them

Run 'ecohub <command> --help' for a command's options.

${SERVE_HELP}
${MIGRATE_HELP}
${BACKUP_HELP}
${ADMIN_HELP}
${PROVISION_HELP}
${SPEC_HELP}
${CERT_HELP}
${COMMUNITY_HELP}`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await runServe(rest, io);
      case 'migrate':
        return await runMigrate(rest, io);
      case 'backup':
        return await runBackup(rest, io);
      case 'admin':
        return await runAdmin(rest, io);
      case 'provision':
        return await runProvision(rest, io);
      case 'spec':
        return await runSpec(rest, io);
      case 'cert':
        return await runCert(rest, io);
      case 'community':
        return await runCommunity(rest, io);
      case '--version':
      case 'version':
        io.stdout(`${VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(
          `unknown command '${command}' (commands: serve, migrate, backup, admin, provision, spec, cert, community)`,
        );
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`ecohub: ${err.message}\nRun 'ecohub ${command ?? ''} --help' for usage.\n`);
      return 2;
    }
    io.stderr(`ecohub: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const io: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  isTTY: process.stderr.isTTY === true,
};

main(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
  // Let pending writes flush; anything still holding the loop after a command is done is a bug we do not wait for.
  setTimeout(() => process.exit(code), 200).unref();
});
