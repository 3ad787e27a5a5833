// TypeDoc: the API reference of every public package, as Markdown in docs/api/ (npm run docs:api).
// The packages are the non-private workspaces; inside each, TypeDoc takes the entry points from the
// package's `exports` map (every subpath, e.g. @keycard/guard/express), so a new public package or
// subpath export is documented without touching this file. `@internal` symbols are left out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = import.meta.dirname;
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** Workspace folders whose package.json is not private, in the order of the root `workspaces`. */
export function publicPackageDirs() {
  return readJson(join(root, 'package.json')).workspaces.filter(
    (dir) => readJson(join(root, dir, 'package.json')).private !== true,
  );
}

/** @type {Partial<import('typedoc').TypeDocOptions & import('typedoc-plugin-markdown').PluginOptions>} */
export default {
  name: 'keycard API reference',
  entryPointStrategy: 'packages',
  entryPoints: publicPackageDirs(),
  packageOptions: {
    excludeInternal: true,
    excludePrivate: true,
    excludeExternals: true,
    readme: 'none',
    disableSources: true, // per package too, else TypeDoc reads the git remote for source links
    disableGit: true,
    // Public signatures naming unexported helper types are the packages' business, not this page's.
    validation: { notExported: false },
  },
  plugin: ['typedoc-plugin-markdown', join(root, 'scripts', 'docs-typedoc-plugin.mjs')],
  out: 'docs/api',
  readme: 'none',
  excludeInternal: true,
  excludePrivate: true,
  disableSources: true, // no line numbers or commit ids: the pages change only when the API does
  hidePageHeader: true,
  hideBreadcrumbs: true,
  useCodeBlocks: true,
  gitRevision: 'main',
  cleanOutputDir: true,
  treatWarningsAsErrors: false,
  validation: { notExported: false, invalidLink: true, rewrittenLink: true },
};
