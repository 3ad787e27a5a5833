/** Why a bounded fetch failed; safe to log (no bodies, no tokens). */
export class FetchFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'network' | 'status' | 'too_large' | 'json',
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'FetchFailure';
  }
}

export interface BoundedFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
  method?: string;
  body?: string;
  /** Aborts the request (the guard's close signal). */
  signal?: AbortSignal;
  /** Accept these statuses besides 200 (the caller inspects them). */
  acceptStatus?: readonly number[];
}

export interface BoundedResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * The most specific reason a network call failed: undici wraps the socket error (`ECONNREFUSED`,
 * `ENOTFOUND`, `ECONNRESET`, a TLS code) in the `cause` of a bare "fetch failed".
 */
export function networkCause(error: unknown): string {
  let current: unknown = error;
  let message: string | undefined;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== '') return code;
    if (current instanceof AggregateError && current.errors.length > 0) {
      const inner = networkCause(current.errors[0]);
      if (inner !== 'network error') return inner;
    }
    if (current.message !== '' && current.message !== 'fetch failed') message = current.message;
    current = current.cause;
  }
  return message ?? 'network error';
}

/**
 * GET (or POST) a JSON document with a hard timeout and a byte limit enforced while streaming, so a
 * slow or huge answer from the network can never stall or exhaust the guard.
 */
export async function fetchJson(url: string, options: BoundedFetchOptions): Promise<BoundedResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', ...options.headers },
      body: options.body,
      signal,
      redirect: 'follow',
    });
  } catch (cause) {
    throw timeout.aborted
      ? new FetchFailure('timeout', `no answer from ${url} within ${options.timeoutMs} ms`)
      : new FetchFailure('network', `request to ${url} failed: ${networkCause(cause)}`, { cause });
  }
  try {
    if (response.status !== 200 && !options.acceptStatus?.includes(response.status)) {
      throw new FetchFailure('status', `${url} answered ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > options.maxBytes)
      throw new FetchFailure('too_large', `${url} body exceeds ${options.maxBytes} bytes`);
    const text = await readLimited(response, options.maxBytes, url);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch (cause) {
      throw new FetchFailure('json', `${url} did not answer JSON`, { cause });
    }
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    await response.body?.cancel().catch(() => {});
    if (error instanceof FetchFailure) throw error;
    throw timeout.aborted
      ? new FetchFailure('timeout', `no answer from ${url} within ${options.timeoutMs} ms`)
      : new FetchFailure('network', `reading ${url} failed: ${networkCause(error)}`, { cause: error });
  }
}

async function readLimited(response: Response, maxBytes: number, url: string): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new FetchFailure('too_large', `${url} body exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}
