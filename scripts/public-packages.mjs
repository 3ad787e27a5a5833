// The public packages of this repository: every workspace whose package.json is not `private`.
// Discovered from the root `workspaces`, so a new public package is packed, linted and install-tested
// without editing a list. Used by scripts/lint-packages.mjs and test/install.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..');

/**
 * Every public workspace, in the root `workspaces` order.
 *
 * @example
 * for (const { name, dir } of publicPackages()) console.log(name, dir);
 */
export function publicPackages(root = ROOT) {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const out = [];
  for (const workspace of rootPkg.workspaces ?? []) {
    if (/[*?[]/.test(workspace))
      throw new Error(`public-packages: glob workspaces are not supported (${workspace})`);
    const dir = resolve(root, workspace);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (pkg.private === true) continue;
    out.push({ name: pkg.name, dir, pkg });
  }
  return out;
}

/**
 * The `files` entries of a package that match no path of its packed tarball (negations ignored):
 * a typo or a build step that did not run.
 *
 * @example
 * unmatchedFileEntries(['dist', 'web'], ['dist/index.js']); // ['web']
 */
export function unmatchedFileEntries(files, paths) {
  return files.filter((entry) => {
    if (entry.startsWith('!')) return false;
    const pattern = entry.replace(/^\.\//, '').replace(/\/$/, '');
    const regex = new RegExp(
      `^${pattern
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) =>
          part === '**/'
            ? '(?:.*/)?'
            : part === '**'
              ? '.*'
              : part === '*'
                ? '[^/]*'
                : part === '?'
                  ? '[^/]'
                  : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('')}(?:/.*)?$`,
    );
    return !paths.some((p) => regex.test(p));
  });
}

/**
 * Bare specifiers imported by a package's shipped JavaScript (static `import`/`export … from` and
 * `import('literal')`) that name neither a Node builtin, the package itself, nor one of its
 * `dependencies`/`peerDependencies`: they work in this repository only because npm hoisted them.
 *
 * @example
 * undeclaredImports(dir, pkg, ['dist/index.js']); // [{ file: 'dist/index.js', name: 'zod' }]
 */
export function undeclaredImports(dir, pkg, paths) {
  const declared = new Set([
    pkg.name,
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
  ]);
  const builtins = new Set(builtinModules);
  const found = [];
  // Files generated at pack time (the CLI's web/ bundle, removed by postpack) are browser code.
  for (const path of paths.filter((p) => /\.(m|c)?js$/.test(p) && existsSync(join(dir, p)))) {
    const text = readFileSync(join(dir, path), 'utf8');
    const specifiers = [
      ...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
      ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
      ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map((m) => m[1]);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('#')) continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      if (!declared.has(name) && !builtins.has(name)) found.push({ file: path, name });
    }
  }
  return found;
}

/**
 * Source-map entries of the shipped maps that point at a file missing from the tarball
 * (a map that does not resolve is worse than none).
 *
 * @example
 * unresolvedSourceMaps(dir, ['dist/index.js.map']); // [] when src/index.ts is shipped too
 */
export function unresolvedSourceMaps(dir, paths) {
  const shipped = new Set(paths);
  const missing = [];
  for (const map of paths.filter((p) => p.endsWith('.map') && existsSync(join(dir, p)))) {
    const { sources = [], sourceRoot = '' } = JSON.parse(readFileSync(join(dir, map), 'utf8'));
    for (const source of sources) {
      const target = posix.normalize(posix.join(dirname(map), sourceRoot, source));
      if (!shipped.has(target)) missing.push({ map, source: target });
    }
  }
  return missing;
}
