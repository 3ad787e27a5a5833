import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
 * @example
 * const staticDir = config.ui.staticDir ?? shippedWebAppDir();
 */
export function shippedWebAppDir(): string | undefined {
  try {
    const workspace = built(join(dirname(createRequire(import.meta.url).resolve(WEB_PACKAGE)), 'dist'));
    if (workspace !== undefined) return workspace;
  } catch {
    // Not in a clone: fall through to the packed copy.
  }
  return built(fileURLToPath(new URL('../../web/', import.meta.url)));
}
