/** The token comes from the argument, else from stdin (never from an interactive terminal). */
import { UsageError } from '../framework/command.js';
import type { IO } from '../framework/io.js';

/** More than any sane token; the verifier's own limit (16 KiB) decides validity. */
const MAX_STDIN_BYTES = 1024 * 1024;

/** Trims surrounding ASCII whitespace (space, tab, CR, LF) and nothing else. */
export function trimWhitespace(text: string): string {
  const ws = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
  let start = 0;
  let end = text.length;
  while (start < end && ws(text.charCodeAt(start))) start++;
  while (end > start && ws(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/**
 * The token argument, or stdin read to its end (at most 1 MiB: more is cut off, which makes the token
 * invalid rather than the process hang or grow). A TTY stdin without an argument is a usage error.
 */
export async function readToken(positional: string | undefined, io: IO): Promise<string> {
  if (positional !== undefined) return trimWhitespace(positional);
  if (io.stdin.isTTY) throw new UsageError('give a TOKEN argument or pipe the token on stdin');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buf);
    size += buf.length;
    if (size > MAX_STDIN_BYTES) {
      io.stdin.destroy();
      break;
    }
  }
  return trimWhitespace(
    Buffer.concat(chunks)
      .subarray(0, MAX_STDIN_BYTES + 1)
      .toString('utf8'),
  );
}
