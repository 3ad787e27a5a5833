import { loadConfig } from './config/index.js';
import type { Logger } from './context.js';
import { type OpenServices, openServices } from './services.js';

/**
 * Opens the services of a data dir the way `keycard serve` would configure them (config file,
 * then `KEYCARD_*` variables, then `dataDir`), for offline administration: the CLI's `users`,
 * `clients`, `audiences`, `roles` and `keys` commands. Creates the data dir, master key and
 * signing keys on first use, exactly like the first `keycard serve`.
 *
 * @example
 * ```ts
 * const { ctx, close } = await openDataDir({ dataDir: '.keycard', env: process.env });
 * try {
 *   console.log(await ctx.storage.users.list());
 * } finally {
 *   await close();
 * }
 * ```
 */
export async function openDataDir(
  opts: {
    dataDir?: string;
    configFile?: string;
    env?: Record<string, string | undefined>;
    logger?: Logger;
  } = {},
): Promise<OpenServices> {
  const config = loadConfig({
    ...(opts.configFile !== undefined ? { file: opts.configFile } : {}),
    env: opts.env ?? {},
    overrides: opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {},
  });
  return openServices(config, opts.logger !== undefined ? { logger: opts.logger } : {});
}
