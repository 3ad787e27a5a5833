import { optionError } from '../errors.js';
import type { RefusalLogger } from './refusal.js';

/** Options of every adapter's `authenticate(guard, options)`. */
export interface AuthenticateOptions {
  /**
   * Let a request without any card through with no auth context (`auth` is `undefined`); a card that is
   * present but bad is still refused. Default false.
   */
  optional?: boolean;
  /** One line per refused request (e.g. `console.warn`); never a token. Default none. */
  onRefused?: RefusalLogger;
}

/** Adapter options renamed or moved before 1.0: refused with the way to say it now. */
const MOVED: Record<string, string> = {
  policies: 'pass policies to authorize(...policies)',
};

/** Checks adapter options when the middleware is built, so a typo or an old name fails at start-up. */
export function checkAuthenticateOptions(options: AuthenticateOptions): AuthenticateOptions {
  if (options === null || typeof options !== 'object') throw optionError('options', 'must be an object');
  for (const key of Object.keys(options)) {
    const moved = MOVED[key];
    if (moved !== undefined) throw optionError(key, `is no longer supported: ${moved}`);
  }
  if (options.optional !== undefined && typeof options.optional !== 'boolean')
    throw optionError('optional', 'must be a boolean');
  if (options.onRefused !== undefined && typeof options.onRefused !== 'function')
    throw optionError('onRefused', 'must be a function');
  return options;
}
