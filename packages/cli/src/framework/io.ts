/**
 * Everything a command touches outside itself, so commands run in-process in tests.
 *
 * @example
 * ```ts
 * const io: IO = { ...processIO(), now: () => 1_800_000_000_000 };
 * ```
 */
import type { Readable } from 'node:stream';

/**
 * Where a command writes (process.stdout/stderr, or a capture in tests).
 *
 * @example
 * ```ts
 * const out: Output = { write: (s) => chunks.push(s) };
 * ```
 */
export interface Output {
  write(chunk: string): unknown;
}

export interface IO {
  stdout: Output;
  stderr: Output;
  /** Standard input; `isTTY` true means an interactive terminal (never read implicitly). */
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Current time in milliseconds (tests freeze it). */
  now: () => number;
}

/**
 * The real process.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIO());
 * ```
 */
export function processIO(): IO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
  };
}
