import { UsageError } from './flags.js';
import type { CliIo } from './io.js';

export const SPEC_HELP = `Usage: ecohub spec lint FILE... [--json]

Validates device model documents against the spec schema and every quality rule, offline.
Prints every violation (path, severity, rule, message); --json prints one JSON document.
Exit code: 0 when no file has errors (warnings allowed), 1 when any has, 2 on bad usage.
`;

export async function runSpec(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === 'help') {
    io.stdout(SPEC_HELP);
    return 0;
  }
  if (sub !== 'lint')
    throw new UsageError(`unknown spec command '${sub ?? ''}' (try: ecohub spec lint FILE...)`);
  const { runSpecLint } = await import('../registry/spec/lint-cli.js');
  return runSpecLint([...rest], { stdout: io.stdout, stderr: io.stderr });
}
