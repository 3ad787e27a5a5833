/** Everything a command touches outside itself, so commands run in-process in tests. */
import type { Readable } from 'node:stream';

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

/** The real process. */
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
