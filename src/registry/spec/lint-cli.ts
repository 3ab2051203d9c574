import { readFile, stat } from 'node:fs/promises';
import { MAX_MODEL_DOCUMENT_BYTES } from './schema.js';
import { validateModelJson } from './validate.js';
import type { Violation } from './violation.js';

/** `ecohub spec lint FILE... [--json]`: offline validation of model documents. */

export interface LintIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

export interface FileLintResult {
  readonly file: string;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
}

const USAGE = 'usage: ecohub spec lint FILE... [--json]\n';

export const LINT_EXIT = { clean: 0, errors: 1, usage: 2 } as const;

export async function runSpecLint(args: string[], io: LintIo): Promise<number> {
  const files: string[] = [];
  let json = false;
  let onlyFiles = false;
  for (const arg of args) {
    if (onlyFiles || !arg.startsWith('-') || arg === '-') {
      files.push(arg);
    } else if (arg === '--') {
      onlyFiles = true;
    } else if (arg === '--json') {
      json = true;
    } else {
      io.stderr(`ecohub spec lint: unknown flag ${arg}\n${USAGE}`);
      return LINT_EXIT.usage;
    }
  }
  if (files.length === 0) {
    io.stderr(`ecohub spec lint: no files given\n${USAGE}`);
    return LINT_EXIT.usage;
  }
  // Sequential on purpose: output order follows the command line, and documents are small.
  const results: FileLintResult[] = [];
  for (const file of files) results.push(await lintFile(file));
  io.stdout(json ? `${JSON.stringify(results, null, 2)}\n` : formatHuman(results));
  return results.every((result) => result.ok) ? LINT_EXIT.clean : LINT_EXIT.errors;
}

export async function lintFile(file: string): Promise<FileLintResult> {
  let text: string;
  try {
    // Checked before reading so a huge file is refused without loading it.
    const info = await stat(file);
    if (!info.isFile()) return unreadable(file, 'is not a regular file');
    if (info.size > MAX_MODEL_DOCUMENT_BYTES) {
      return unreadable(
        file,
        `is ${info.size} bytes, over the ${MAX_MODEL_DOCUMENT_BYTES}-byte limit`,
        'SCHEMA',
      );
    }
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    return unreadable(
      file,
      code === 'ENOENT' ? 'does not exist' : `cannot be read (${code || String(error)})`,
    );
  }
  const result = validateModelJson(text);
  return { file, ok: result.ok, violations: result.violations };
}

function unreadable(file: string, reason: string, rule = 'IO'): FileLintResult {
  return {
    file,
    ok: false,
    violations: [{ rule, severity: 'error', path: '', message: `${file} ${reason}` }],
  };
}

function formatHuman(results: readonly FileLintResult[]): string {
  let out = '';
  let errors = 0;
  let warnings = 0;
  let failedFiles = 0;
  for (const result of results) {
    const fileErrors = result.violations.filter((violation) => violation.severity === 'error').length;
    const fileWarnings = result.violations.length - fileErrors;
    errors += fileErrors;
    warnings += fileWarnings;
    if (!result.ok) failedFiles += 1;
    out += `${result.file}: ${result.ok ? 'ok' : 'FAILED'} (${count(fileErrors, 'error')}, ${count(fileWarnings, 'warning')})\n`;
    for (const violation of result.violations) {
      out += `  ${violation.path || '(document)'}  ${violation.severity}  ${violation.rule}  ${violation.message}\n`;
    }
  }
  out +=
    `${count(results.length, 'file')} checked: ${failedFiles} failed, ` +
    `${count(errors, 'error')}, ${count(warnings, 'warning')}\n`;
  return out;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
