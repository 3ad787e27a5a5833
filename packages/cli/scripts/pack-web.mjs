#!/usr/bin/env node
// `prepack`: copies the built web app (packages/web/dist) into packages/cli/web so the tarball of
// @keycard/cli carries it and `keycard serve` serves it after `npm i -g @keycard/cli`.
// `postpack`: removes the copy again (it is gitignored). Usage: node scripts/pack-web.mjs copy|clean
import { cpSync, existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const cli = resolve(import.meta.dirname, '..');
const target = resolve(cli, 'web');
const source = resolve(cli, '../web/dist');
const action = process.argv[2];

if (action === 'copy') {
  if (!existsSync(resolve(source, 'index.html'))) {
    console.error(
      `pack-web: ${source}/index.html is missing; run \`npm run build\` in the repository root first`,
    );
    process.exit(1);
  }
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
} else if (action === 'clean') {
  rmSync(target, { recursive: true, force: true });
} else {
  console.error('usage: node scripts/pack-web.mjs copy|clean');
  process.exit(2);
}
