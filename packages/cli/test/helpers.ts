/** In-process runner: main() with a fake IO (captured output, scripted stdin, frozen clock). */
import { Readable } from 'node:stream';
import type { IO } from '../src/framework/io.js';
import { main } from '../src/main.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** stdin content; 'tty' simulates an interactive terminal. Default: empty, not a TTY. */
  stdin?: string | Buffer | 'tty';
  cwd?: string;
  now?: number;
}

export async function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const stdin = Readable.from(
    opts.stdin === undefined || opts.stdin === 'tty'
      ? []
      : [typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : opts.stdin],
  ) as IO['stdin'];
  if (opts.stdin === 'tty') stdin.isTTY = true;
  const io: IO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin,
    env: {},
    cwd: opts.cwd ?? process.cwd(),
    now: () => opts.now ?? Date.now(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
