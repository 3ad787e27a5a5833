#!/usr/bin/env node
// Packs every public package (scripts/public-packages.mjs: every non-private workspace) with
// `npm pack` and lints the tarball a user would install: publint (package.json/exports/files),
// @arethetypeswrong/cli (types per resolution mode), build leftovers, LICENSE/README, and `files`
// entries that match nothing in the tarball.
// The packages are ESM-only; `require()` of them works on Node >= 20.19 (require(esm)), which is
// what the `esm-only` attw profile checks. Everything runs offline on local tarballs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  publicPackages,
  ROOT,
  undeclaredImports,
  unmatchedFileEntries,
  unresolvedSourceMaps,
} from './public-packages.mjs';

const root = ROOT;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const out = mkdtempSync(join(tmpdir(), 'keycard-pack-'));
let failed = 0;

try {
  execFileSync('npx', ['tsc', '-b'], { cwd: root, stdio: 'inherit' });
  for (const { name, dir, pkg } of publicPackages(root)) {
    const json = execFileSync(
      'npm',
      // Lifecycle scripts run: the CLI's prepack puts the built web app into its tarball.
      ['pack', '--workspace', name, '--pack-destination', out, '--json'],
      { cwd: root, encoding: 'utf8' },
    );
    const [info] = JSON.parse(json);
    const tarball = join(out, info.filename);
    console.log(`\n== ${name}: ${info.filename} (${info.entryCount} files)`);
    const paths = new Set(info.files.map((f) => f.path));
    // Build leftovers: incremental-build state, tests, and compiled files whose source is gone.
    const leftovers = [...paths].filter(
      (p) =>
        /(^|\/)\.tsbuildinfo$|\.test\./.test(p) ||
        (/^dist\/.*\.js$/.test(p) && !paths.has(p.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))),
    );
    if (leftovers.length > 0) {
      console.error(`build leftovers in the tarball: ${leftovers.join(', ')}`);
      failed++;
    }
    // A plain exports map: `types` and `default` (or import/require) only, no custom conditions.
    const custom = Object.values(pkg.exports ?? {})
      .flatMap((target) => (target !== null && typeof target === 'object' ? Object.keys(target) : []))
      .filter((c) => !['types', 'import', 'require', 'default'].includes(c));
    if (custom.length > 0) {
      console.error(`custom export conditions: ${[...new Set(custom)].join(', ')}`);
      failed++;
    }
    const unresolved = unresolvedSourceMaps(dir, [...paths]);
    if (unresolved.length > 0) {
      console.error(
        `source maps name files not in the tarball, e.g. ${unresolved[0].map} -> ${unresolved[0].source}`,
      );
      failed++;
    }
    const undeclared = undeclaredImports(dir, pkg, [...paths]);
    for (const { file, name: dep } of undeclared) console.error(`${file} imports '${dep}', not a dependency`);
    if (undeclared.length > 0) failed++;
    const unmatched = unmatchedFileEntries(pkg.files ?? [], [...paths]);
    if (unmatched.length > 0) {
      console.error(`\`files\` entries that match nothing in the tarball: ${unmatched.join(', ')}`);
      failed++;
    }
    for (const file of ['LICENSE', 'README.md', 'package.json']) {
      if (!info.files.some((f) => f.path === file)) {
        console.error(`missing from the tarball: ${file}`);
        failed++;
      }
    }
    const checks = [
      [bin('publint'), ['run', tarball, '--strict']],
      [bin('attw'), [tarball, '--profile', 'esm-only', '--no-emoji', '--no-color']],
    ];
    for (const [cmd, args] of checks) {
      const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
      if (r.status !== 0) failed++;
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`\nlint:packages: ${failed} problem(s)`);
  process.exit(1);
}
console.log('\nlint:packages: no problems');
