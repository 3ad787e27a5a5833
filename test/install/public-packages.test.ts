import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  publicPackages,
  undeclaredImports,
  unmatchedFileEntries,
  unresolvedSourceMaps,
} from '../../scripts/public-packages.mjs';

/** The checks lint:packages and the install test rely on, on small fixtures. */
describe('scripts/public-packages.mjs', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const fixture = (files: Record<string, string>): string => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-public-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };

  it('lists every non-private workspace, including one added later, without a list to edit', () => {
    const root = fixture({
      'package.json': JSON.stringify({ workspaces: ['packages/a', 'packages/web', 'packages/protocol'] }),
      'packages/a/package.json': JSON.stringify({ name: '@x/a', version: '1.0.0' }),
      'packages/web/package.json': JSON.stringify({ name: '@x/web', version: '1.0.0', private: true }),
      'packages/protocol/package.json': JSON.stringify({ name: '@x/protocol', version: '1.0.0' }),
    });
    expect(publicPackages(root).map((p) => p.name)).toEqual(['@x/a', '@x/protocol']);
  });

  it('this repository: the CLI is public as @keycard/cli, the web app and the demo are not', () => {
    const names = publicPackages().map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['@keycard/jwt', '@keycard/guard', '@keycard/server', '@keycard/cli']),
    );
    expect(names).not.toContain('@keycard/web');
    expect(names).not.toContain('@keycard/demo');
    expect(names).not.toContain('keycard');
  });

  it('names `files` entries that match nothing in the tarball', () => {
    const paths = ['dist/index.js', 'dist/a/b.js', 'src/index.ts', 'README.md'];
    expect(unmatchedFileEntries(['dist', 'src/', './README.md', '!dist/.tsbuildinfo'], paths)).toEqual([]);
    expect(unmatchedFileEntries(['web', 'LICENSE', 'dist/**/*.js', 'bin/*.js'], paths)).toEqual([
      'web',
      'LICENSE',
      'bin/*.js',
    ]);
  });

  it('finds bare imports that are not declared dependencies', () => {
    const root = fixture({
      'dist/index.js': [
        "import { readFileSync } from 'node:fs';",
        "import path from 'path';",
        "import { z } from 'zod';",
        "export { x } from './x.js';",
        "export * from '@scope/peer/sub';",
        "import 'side-effect';",
        "const later = () => import('lazy-dep');",
        "import self from '@x/me/sub';",
      ].join('\n'),
    });
    const pkg = {
      name: '@x/me',
      version: '1.0.0',
      dependencies: { zod: '4' },
      peerDependencies: { '@scope/peer': '1' },
    };
    expect(undeclaredImports(root, pkg, ['dist/index.js']).map((u) => u.name)).toEqual([
      'side-effect',
      'lazy-dep',
    ]);
  });

  it('finds source maps whose sources are not shipped', () => {
    const map = JSON.stringify({ version: 3, sources: ['../src/index.ts'], mappings: '' });
    const root = fixture({ 'dist/index.js.map': map });
    expect(unresolvedSourceMaps(root, ['dist/index.js.map', 'src/index.ts'])).toEqual([]);
    expect(unresolvedSourceMaps(root, ['dist/index.js.map'])).toEqual([
      { map: 'dist/index.js.map', source: 'src/index.ts' },
    ]);
  });
});
