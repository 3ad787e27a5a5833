// In an install of @keycard/cli the web app is the copy in its own tarball (web/). A directory named
// @keycard/web in some node_modules up the tree (planted in a shared /tmp/node_modules, or a
// look-alike package) must never become the sign-in page of the auth server: @keycard/web is a
// private workspace, so only a workspace link (resolving outside node_modules) counts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedWebAppDir } from '../src/util/web-dir.js';

describe('the web app of an installed CLI', () => {
  let root: string;
  let from: URL;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'keycard-install-'));
    const modules = join(root, 'node_modules', '@keycard');
    const cli = join(modules, 'cli');
    mkdirSync(join(cli, 'dist', 'util'), { recursive: true });
    mkdirSync(join(cli, 'web'), { recursive: true });
    writeFileSync(join(cli, 'web', 'index.html'), 'shipped');
    const planted = join(modules, 'web');
    mkdirSync(join(planted, 'dist'), { recursive: true });
    writeFileSync(join(planted, 'package.json'), '{"name":"@keycard/web","version":"9.9.9"}');
    writeFileSync(join(planted, 'dist', 'index.html'), 'planted');
    from = pathToFileURL(join(cli, 'dist', 'util', 'web-dir.js'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('serves the shipped copy, not an @keycard/web found in node_modules', () => {
    const dir = shippedWebAppDir(from);
    expect(dir === undefined ? undefined : resolve(dir)).toBe(
      join(root, 'node_modules', '@keycard', 'cli', 'web'),
    );
  });
});
