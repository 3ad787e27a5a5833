import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { publicPackages } from '../../../scripts/public-packages.mjs';

export const ROOT = resolve(import.meta.dirname, '../../..');

/** Native addons rebuilt from source in the repository: reused when the installed version matches. */
const NATIVE = ['better-sqlite3', 'argon2'];

/** Packages the README's "Protect a service" snippet needs besides ours, pinned to the repo's versions. */
const SNIPPET_DEPS = ['express', '@types/express', '@types/node'];

function versionIn(dir: string, name: string): string | undefined {
  const file = join(dir, 'node_modules', name, 'package.json');
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
    : undefined;
}

/**
 * Packs every public package (`npm pack`, lifecycle scripts included: the CLI's prepack adds the
 * web app) into `packs/` and installs the tarballs into a fresh project `project/` under `dir`,
 * as a user would, with nothing from this repository's node_modules but compiled native addons.
 * Returns the project directory.
 */
export function installTarballs(dir: string): string {
  const packs = join(dir, 'packs');
  const project = join(dir, 'project');
  mkdirSync(packs);
  mkdirSync(project);
  const dependencies: Record<string, string> = {};
  // One npm run for every package (npm's start-up is a good part of the cost of a pack).
  const workspaces = publicPackages(ROOT).flatMap(({ name }) => ['--workspace', name]);
  const out = execFileSync('npm', ['pack', ...workspaces, '--pack-destination', packs, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const info of JSON.parse(out) as { name: string; filename: string }[]) {
    dependencies[info.name] = `file:${join(packs, info.filename)}`;
  }
  for (const name of SNIPPET_DEPS) dependencies[name] = versionIn(ROOT, name) ?? 'latest';
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'keycard-install-check', version: '0.0.0', private: true, dependencies }, null, 2)}\n`,
  );
  // --ignore-scripts: the native addons' install scripts would download or compile; their builds
  // from this repository are copied in below instead (same version, same Node, same machine).
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  for (const name of NATIVE) {
    const installed = versionIn(project, name);
    const built = join(ROOT, 'node_modules', name, 'build');
    if (installed === undefined) continue;
    if (installed !== versionIn(ROOT, name) || !existsSync(built)) {
      execFileSync('npm', ['rebuild', name], { cwd: project, stdio: 'inherit' });
    } else {
      cpSync(built, join(project, 'node_modules', name, 'build'), { recursive: true });
    }
  }
  return project;
}
