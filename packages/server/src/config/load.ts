import { readFileSync } from 'node:fs';
import { ServerError } from '../errors.js';
import { configFromEnv } from './env.js';
import { configSchema, type KeycardConfig, type KeycardConfigInput } from './schema.js';

/**
 * Validates a configuration object and freezes it. The error message names every bad field
 * (`tokens.accessTokenTtl: must be ...`).
 *
 * @example
 * ```ts
 * const config = parseConfig({ port: 4000, tokens: { accessTokenTtl: 300 } });
 * ```
 */
export function parseConfig(input: unknown): KeycardConfig {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      return `${path}: ${issue.message}`;
    });
    throw new ServerError('ERR_CONFIG_INVALID', {
      message: `Invalid keycard configuration: ${problems.join('; ')}`,
    });
  }
  return deepFreeze(result.data);
}

/**
 * Loads the configuration the way `keycard serve` does: defaults, then the JSON file, then
 * `KEYCARD_*` environment variables, then explicit overrides (command-line flags).
 *
 * @example
 * ```ts
 * const config = loadConfig({ file: 'keycard.config.json', env: process.env, overrides: { port: 4100 } });
 * ```
 */
export function loadConfig(
  opts: { file?: string; env?: Record<string, string | undefined>; overrides?: KeycardConfigInput } = {},
): KeycardConfig {
  let fromFile: Record<string, unknown> = {};
  if (opts.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (cause) {
      throw new ServerError('ERR_CONFIG_INVALID', { message: `Cannot read config file ${opts.file}`, cause });
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      fromFile = parsed as Record<string, unknown>;
    } catch (cause) {
      throw new ServerError('ERR_CONFIG_INVALID', {
        message: `Config file ${opts.file} is not a JSON object`,
        cause,
      });
    }
  }
  const merged = merge(
    merge(fromFile, configFromEnv(opts.env ?? {})),
    (opts.overrides ?? {}) as Record<string, unknown>,
  );
  return parseConfig(merged);
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? merge(prev, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
