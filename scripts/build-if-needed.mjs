// `npm start` builds first when a build is missing or older than its sources, so
// `npm install && npm start` works on a fresh clone and stays fast afterwards: the hub (tsc to
// dist/) and the web app it serves at / (vite to web/dist/).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function stale(output, sources) {
  return (
    !existsSync(output) || statSync(output).mtimeMs < Math.max(...sources.map((s) => newest(join(root, s))))
  );
}

const hubOutput = join(root, 'dist', 'src', 'cli', 'main.js');
if (stale(hubOutput, ['src', 'firmware-sim', 'bench', 'tsconfig.json'])) {
  process.stderr.write('ecohub: building the hub (tsc)...\n');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')],
    { stdio: 'inherit' },
  );
}

// The web app shares the spec schema and compiler with the hub (src/registry/spec).
const webOutput = join(root, 'web', 'dist', 'index.html');
if (
  stale(webOutput, ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'src/registry/spec'])
) {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (existsSync(vite)) {
    process.stderr.write('ecohub: building the web app (vite)...\n');
    execFileSync(process.execPath, [vite, 'build', '--config', join(root, 'web', 'vite.config.ts')], {
      stdio: 'inherit',
    });
  } else if (!existsSync(webOutput)) {
    process.stderr.write(
      'ecohub: vite is not installed, so the web app is not built; the hub serves the API only.\n',
    );
  }
}
