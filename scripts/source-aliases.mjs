// Test-time resolution of the workspace packages to their TypeScript sources, so vitest runs the
// code under test without a build. The published exports maps stay plain (types + default, pointing
// at dist/); this derives each entry's source from it: ./dist/x/y.js -> ./src/x/y.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * One exact-match alias per export of every workspace package whose source exists.
 *
 * @example
 * defineConfig({ resolve: { alias: sourceAliases() } });
 */
export function sourceAliases(root = ROOT) {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const aliases = [];
  for (const workspace of rootPkg.workspaces ?? []) {
    const dir = resolve(root, workspace);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const entry = typeof target === 'string' ? target : (target?.import ?? target?.default);
      if (typeof entry !== 'string' || !/^\.\/dist\/.*\.js$/.test(entry)) continue;
      const source = join(dir, entry.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
      if (!existsSync(source)) continue;
      const specifier = `${pkg.name}${subpath.slice(1)}`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      aliases.push({ find: new RegExp(`^${specifier}$`), replacement: source });
    }
  }
  return aliases;
}
