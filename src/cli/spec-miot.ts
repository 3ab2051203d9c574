import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { exportMiotJson } from '../registry/spec/miot/export.js';
import { type ImportResult, importMiotJson } from '../registry/spec/miot/import.js';
import { MAX_MIOT_DOCUMENT_BYTES } from '../registry/spec/miot/instance.js';
import type { ImportNote } from '../registry/spec/miot/record.js';
import { MAX_MODEL_DOCUMENT_BYTES } from '../registry/spec/schema.js';
import { validateModelDocument, validateModelJson } from '../registry/spec/validate.js';
import { hasErrors, type Violation } from '../registry/spec/violation.js';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from './flags.js';
import type { CliIo } from './io.js';

/** `ecohub spec import miot FILE...` and `ecohub spec export miot FILE` (docs/spec.md, "MIoT-Spec-V2"). */

const IMPORT_FLAGS: readonly FlagSpec[] = [
  { name: 'out', type: 'string', value: 'DIR', help: 'Write each model document to DIR/{model}.json' },
  {
    name: 'partner',
    type: 'string',
    value: 'SLUG',
    help: "Partner segment of the model ids (default: the vendor in the device type's product)",
  },
  { name: 'model', type: 'string', value: 'ID', help: 'The model id (one FILE only)' },
  {
    name: 'json',
    type: 'boolean',
    help: 'Print one JSON report (documents included when there is no --out)',
  },
];

const EXPORT_FLAGS: readonly FlagSpec[] = [
  { name: 'out', type: 'string', value: 'FILE', help: 'Write the MIoT document to FILE instead of stdout' },
];

export const IMPORT_HELP = formatHelp(
  'ecohub spec import miot FILE... [--out DIR] [--partner SLUG] [--model ID] [--json]',
  'Converts MIoT-Spec-V2 instance documents into ecohub model documents and lints them.\n' +
    'Lists every change made, with a JSON pointer into the source. With one FILE and no --out, the\n' +
    'document goes to stdout and the report to stderr. Exit code: 0 when every file imported and\n' +
    'lints without errors, 1 otherwise, 2 on bad usage.',
  IMPORT_FLAGS,
);

export const EXPORT_HELP = formatHelp(
  'ecohub spec export miot FILE [--out FILE]',
  'Converts a valid ecohub model document into a MIoT-Spec-V2 instance document.\n' +
    'Exit code: 0 on success, 1 when the document is not valid or cannot be read, 2 on bad usage.',
  EXPORT_FLAGS,
);

interface FileReport {
  readonly file: string;
  readonly ok: boolean;
  readonly model: string | null;
  readonly output: string | null;
  readonly notes: readonly ImportNote[];
  /** Import errors (paths into the source) and lint findings (paths into the document). */
  readonly violations: readonly Violation[];
  readonly document?: unknown;
}

export async function runSpecImport(argv: readonly string[], io: CliIo): Promise<number> {
  const [format, ...rest] = argv;
  if (format === '--help' || format === undefined) {
    io.stdout(IMPORT_HELP);
    return format === undefined ? 2 : 0;
  }
  if (format !== 'miot')
    throw new UsageError(`unknown import format '${format}' (try: ecohub spec import miot FILE...)`);
  const { values, positionals } = parseFlags(rest, IMPORT_FLAGS, { positionals: true });
  if (values['help'] === true) {
    io.stdout(IMPORT_HELP);
    return 0;
  }
  const out = typeof values['out'] === 'string' ? values['out'] : undefined;
  const model = typeof values['model'] === 'string' ? values['model'] : undefined;
  const partner = typeof values['partner'] === 'string' ? values['partner'] : undefined;
  const json = values['json'] === true;
  if (positionals.length === 0) throw new UsageError('spec import miot needs at least one FILE');
  if (model !== undefined && positionals.length > 1)
    throw new UsageError('--model names one model: give one FILE');
  if (out === undefined && !json && positionals.length > 1) {
    throw new UsageError('several FILEs need --out DIR (or --json): stdout holds one document');
  }
  if (out !== undefined) await mkdir(out, { recursive: true });
  const reports: FileReport[] = [];
  const written = new Map<string, string>();
  for (const file of positionals) {
    reports.push(await importFile(file, { out, model, partner, embed: out === undefined, written }));
  }
  const allOk = reports.every((r) => r.ok);
  if (json) {
    io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
  } else if (out === undefined) {
    const [only] = reports;
    if (only?.document !== undefined) io.stdout(`${JSON.stringify(only.document, null, 2)}\n`);
    io.stderr(formatReports(reports));
  } else {
    io.stdout(formatReports(reports));
  }
  return allOk ? 0 : 1;
}

async function importFile(
  file: string,
  o: {
    out: string | undefined;
    model: string | undefined;
    partner: string | undefined;
    embed: boolean;
    /** Outputs of this run by the source that produced them: a second source must not overwrite one. */
    written: Map<string, string>;
  },
): Promise<FileReport> {
  const text = await readLimited(file, MAX_MIOT_DOCUMENT_BYTES);
  if (typeof text !== 'string')
    return { file, ok: false, model: null, output: null, notes: [], violations: [text] };
  const result: ImportResult = importMiotJson(text, { model: o.model, partner: o.partner });
  if (!result.ok)
    return { file, ok: false, model: null, output: null, notes: result.notes, violations: result.errors };
  const lint = validateModelDocument(result.document);
  const output = o.out === undefined ? null : join(o.out, `${result.document.model}.json`);
  const earlier = output === null ? undefined : o.written.get(output);
  if (earlier !== undefined) {
    const clash: Violation = {
      rule: 'IMPORT',
      severity: 'error',
      path: '/type',
      message: `model id ${result.document.model} was already made from ${earlier}: import this one with --model, or without --partner`,
    };
    return {
      file,
      ok: false,
      model: result.document.model,
      output: null,
      notes: result.notes,
      violations: [clash],
    };
  }
  if (output !== null) {
    await writeFile(output, `${JSON.stringify(result.document, null, 2)}\n`);
    o.written.set(output, file);
  }
  return {
    file,
    ok: !hasErrors(lint.violations),
    model: result.document.model,
    output,
    notes: result.notes,
    violations: lint.violations,
    ...(o.embed ? { document: result.document } : {}),
  };
}

function formatReports(reports: readonly FileReport[]): string {
  let text = '';
  for (const r of reports) {
    const errors = r.violations.filter((v) => v.severity === 'error').length;
    const warnings = r.violations.length - errors;
    const target = r.output ?? r.model ?? '(nothing)';
    text += `${basename(r.file)} -> ${target}: ${r.ok ? 'imported' : 'FAILED'} (${r.notes.length} changes; ${errors} errors, ${warnings} warnings)\n`;
    for (const n of r.notes) text += `  ${n.path || '(document)'}  ${n.kind}  ${n.message}\n`;
    for (const v of r.violations)
      text += `  ${v.path || '(document)'}  ${v.severity}  ${v.rule}  ${v.message}\n`;
  }
  const failed = reports.filter((r) => !r.ok).length;
  return `${text}${reports.length} file${reports.length === 1 ? '' : 's'} imported: ${failed} failed\n`;
}

export async function runSpecExport(argv: readonly string[], io: CliIo): Promise<number> {
  const [format, ...rest] = argv;
  if (format === '--help' || format === undefined) {
    io.stdout(EXPORT_HELP);
    return format === undefined ? 2 : 0;
  }
  if (format !== 'miot')
    throw new UsageError(`unknown export format '${format}' (try: ecohub spec export miot FILE)`);
  const { values, positionals } = parseFlags(rest, EXPORT_FLAGS, { positionals: true });
  if (values['help'] === true) {
    io.stdout(EXPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('spec export miot needs exactly one FILE');
  const file = positionals[0] ?? '';
  const text = await readLimited(file, MAX_MODEL_DOCUMENT_BYTES);
  if (typeof text !== 'string') {
    io.stderr(`${file}: ${text.message}\n`);
    return 1;
  }
  const result = validateModelJson(text);
  if (!result.ok) {
    io.stderr(`${file}: not a valid model document, nothing exported\n`);
    for (const v of result.violations)
      io.stderr(`  ${v.path || '(document)'}  ${v.severity}  ${v.rule}  ${v.message}\n`);
    return 1;
  }
  const miot = exportMiotJson(result.spec);
  const out = typeof values['out'] === 'string' ? values['out'] : undefined;
  if (out === undefined) io.stdout(miot);
  else await writeFile(out, miot);
  return 0;
}

/** The file's text, or an IO violation; checked for size before it is read. */
async function readLimited(file: string, limit: number): Promise<string | Violation> {
  const fail = (message: string): Violation => ({
    rule: 'IO',
    severity: 'error',
    path: '',
    message: `${file} ${message}`,
  });
  try {
    const info = await stat(file);
    if (!info.isFile()) return fail('is not a regular file');
    if (info.size > limit) return fail(`is ${info.size} bytes, over the ${limit}-byte limit`);
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    return fail(code === 'ENOENT' ? 'does not exist' : `cannot be read (${code || String(error)})`);
  }
}
