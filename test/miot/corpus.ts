import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real MIoT-Spec-V2 corpus (46 instance documents, see its README) is not ours to ship: it is
 * read from outside the project at test time, never copied in. MIOT_SPECS names the folder;
 * otherwise it is `shared/miot-specs` beside the repository, or beside the main checkout when this
 * is a linked git worktree (its `.git` is a file). A missing corpus fails the suite, with this text.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CorpusDocument {
  /** The file name: the MIoT model id plus `.json`. */
  readonly file: string;
  readonly text: string;
}

export function corpusCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = env['MIOT_SPECS'];
  if (given !== undefined && given !== '') return [isAbsolute(given) ? given : resolve(process.cwd(), given)];
  return checkouts(REPO).map((root) => resolve(root, '..', 'shared', 'miot-specs'));
}

/** The repository, and the main working tree when the repository is a linked worktree. */
function checkouts(root: string): string[] {
  const roots = [root];
  const dotGit = join(root, '.git');
  if (!existsSync(dotGit) || !statSync(dotGit).isFile()) return roots;
  const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
  if (gitdir === undefined) return roots;
  const commondirFile = join(gitdir, 'commondir');
  const common = existsSync(commondirFile)
    ? resolve(gitdir, readFileSync(commondirFile, 'utf8').trim())
    : gitdir;
  if (basename(common) === '.git') roots.push(dirname(common));
  return roots;
}

export function corpusDir(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = corpusCandidates(env);
  const found = candidates.find((dir) => existsSync(dir) && statSync(dir).isDirectory());
  if (found !== undefined) return found;
  throw new Error(
    `MIoT-Spec-V2 corpus not found (looked in ${candidates.join(', ')}). npm run test:miot needs the ` +
      'folder of real MIoT-Spec-V2 instance documents (46 files from 19 vendors, listed with their sources ' +
      'in its README.md). Get it as shared/miot-specs next to this repository (the layout of the ecohub ' +
      'workspace), or point MIOT_SPECS at it: MIOT_SPECS=/path/to/miot-specs npm run test:miot. Read it ' +
      'from there; do not copy it into the project.',
  );
}

export function loadCorpus(env: NodeJS.ProcessEnv = process.env): {
  dir: string;
  documents: CorpusDocument[];
} {
  const dir = corpusDir(env);
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new Error(`the MIoT corpus folder ${dir} holds no .json documents`);
  return { dir, documents: files.map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') })) };
}
