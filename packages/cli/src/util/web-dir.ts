import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// A variable specifier: @keycard/web is a private workspace, present in a clone of the repository
// and absent from an install of @keycard/cli, which ships the built app in its own `web/` instead.
const WEB_PACKAGE: string = '@keycard/web/package.json';

function built(dir: string): string | undefined {
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/**
 * The built web app `keycard serve` serves when `ui.staticDir` is not configured: the workspace's
 * `@keycard/web` build in a clone (always the latest build), else the copy packed into the CLI's
 * tarball (`web/`, see scripts/pack-web.mjs). `undefined` when neither exists (API only).
 *
 * `@keycard/web` is a private workspace and never installed: in a clone it resolves through the
 * workspace link to its real path. A copy found inside a `node_modules` folder (planted in a shared
 * parent such as /tmp/node_modules, or a look-alike package) is never served as the sign-in page.
 * `from` is where resolution starts (this module; a test passes an install layout).
 *
 * @example
 * const staticDir = config.ui.staticDir ?? shippedWebAppDir();
 */
export function shippedWebAppDir(from: string | URL = import.meta.url): string | undefined {
  try {
    const manifest = createRequire(from).resolve(WEB_PACKAGE);
    const workspace = inNodeModules(manifest) ? undefined : built(join(dirname(manifest), 'dist'));
    if (workspace !== undefined) return workspace;
  } catch {
    // Not in a clone: fall through to the packed copy.
  }
  return built(fileURLToPath(new URL('../../web/', from)));
}

function inNodeModules(path: string): boolean {
  return path.split(sep).includes('node_modules');
}
