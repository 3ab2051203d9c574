import { UsageError } from './flags.js';
import type { CliIo } from './io.js';

export const SPEC_HELP = `Usage: ecohub spec lint FILE... [--json]
       ecohub spec import miot FILE... [--out DIR] [--partner SLUG] [--model ID] [--json]
       ecohub spec export miot FILE [--out FILE]

lint:   validates device model documents against the spec schema and every quality rule, offline.
        Prints every violation (path, severity, rule, message); --json prints one JSON document.
        Exit code: 0 when no file has errors (warnings allowed), 1 when any has, 2 on bad usage.
import: converts MIoT-Spec-V2 instance documents into model documents, listing every change with a
        JSON pointer into the source, and lints the result ('ecohub spec import miot --help').
export: converts a model document into a MIoT-Spec-V2 instance document.
`;

export async function runSpec(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case '--help':
    case 'help':
      io.stdout(SPEC_HELP);
      return 0;
    case 'lint': {
      const { runSpecLint } = await import('../registry/spec/lint-cli.js');
      return runSpecLint([...rest], { stdout: io.stdout, stderr: io.stderr });
    }
    case 'import': {
      const { runSpecImport } = await import('./spec-miot.js');
      return runSpecImport(rest, io);
    }
    case 'export': {
      const { runSpecExport } = await import('./spec-miot.js');
      return runSpecExport(rest, io);
    }
    default:
      throw new UsageError(`unknown spec command '${sub ?? ''}' (try: ecohub spec lint|import|export)`);
  }
}
