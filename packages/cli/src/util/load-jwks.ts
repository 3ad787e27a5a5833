/** Loads a JWK Set from a file or an http(s) URL: one fetch, a timeout and a size limit. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, EXIT } from '../framework/command.js';

export const JWKS_MAX_BYTES = 1024 * 1024;
export const JWKS_TIMEOUT_MS = 5000;

export interface LoadJWKSOptions {
  cwd: string;
  timeoutMs?: number;
  maxBytes?: number;
}

/** Returns the parsed JSON (KeySet.from checks its shape). I/O and JSON failures are exit code 2. */
export async function loadJWKS(source: string, opts: LoadJWKSOptions): Promise<unknown> {
  const maxBytes = opts.maxBytes ?? JWKS_MAX_BYTES;
  const text = /^https?:\/\//i.test(source)
    ? await fetchText(source, opts.timeoutMs ?? JWKS_TIMEOUT_MS, maxBytes)
    : await readLocal(resolve(opts.cwd, source), maxBytes);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CliError('the JWKS is not valid JSON', EXIT.USAGE, { cause });
  }
}

async function readLocal(path: string, maxBytes: number): Promise<string> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, EXIT.USAGE);
  }
  if (data.length > maxBytes) throw new CliError(`${path} is larger than ${maxBytes} bytes`, EXIT.USAGE);
  return data.toString('utf8');
}

/** The URL for a message: no user information or query (they may carry credentials). */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the JWKS URL';
  }
}

/** Why a fetch failed, from undici's `cause` chain: `ECONNREFUSED 127.0.0.1:9`, `ENOTFOUND host`, … */
export function fetchCause(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    const text =
      code !== undefined && !current.message.includes(code) ? `${code}: ${current.message}` : current.message;
    if (text !== '' && text !== 'fetch failed') parts.push(text);
    current = current.cause;
  }
  return parts.length === 0 ? 'fetch failed' : parts.join(': ');
}

async function fetchText(url: string, timeoutMs: number, maxBytes: number): Promise<string> {
  const shown = shownUrl(url);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      signal,
      headers: { accept: 'application/json' },
      redirect: 'follow',
    });
    if (!response.ok)
      throw new CliError(`fetching the JWKS from ${shown} failed: HTTP ${response.status}`, EXIT.USAGE);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes)
      throw new CliError(`the JWKS response is larger than ${maxBytes} bytes`, EXIT.USAGE);
    const reader = response.body?.getReader();
    if (reader === undefined) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new CliError(`the JWKS response is larger than ${maxBytes} bytes`, EXIT.USAGE);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (signal.aborted) {
      throw new CliError(`fetching the JWKS from ${shown} timed out after ${timeoutMs} ms`, EXIT.USAGE);
    }
    throw new CliError(`fetching the JWKS from ${shown} failed: ${fetchCause(err)}`, EXIT.USAGE, {
      cause: err,
    });
  }
}
