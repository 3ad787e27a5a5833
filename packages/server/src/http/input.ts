import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { RequestInfo } from '../context.js';
import { ServerError } from '../errors.js';

/**
 * Validates a request body/query with a zod schema; the ERR_VALIDATION message names each
 * bad field but never echoes a value.
 *
 * @example
 * ```ts
 * const body = parseInput(loginBody, request.body);
 * ```
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || 'body';
    return `${path}: ${issue.code === 'invalid_type' ? `expected ${(issue as { expected?: string }).expected}` : issue.message}`;
  });
  throw new ServerError('ERR_VALIDATION', { message: `Invalid request: ${fields.slice(0, 5).join('; ')}` });
}

/** IP and user agent of a request, for sessions and the audit log. */
export function requestInfo(request: FastifyRequest): RequestInfo {
  const ua = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null };
}

// RFC 8707 §2 / RFC 8693 §2.1: these may be given more than once.
const REPEATABLE = new Set(['resource', 'audience']);

/**
 * Parses `application/x-www-form-urlencoded`; a repeated parameter is an error (RFC 6749 §3.1)
 * except `resource` and `audience`, which become arrays when repeated. The common case (well-formed
 * escapes) is split and decoded by hand; a body with a malformed escape is handed to
 * URLSearchParams, whose lenient decoding (the escape kept as written) is the reference.
 */
export function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  // The next '=' at or after the current pair (body.length: none left). Searched again only once the
  // pairs have passed it, so a body of pairs without '=' ('a&a&a…') is scanned once, not once per pair.
  let eq = -1;
  for (let start = 0; start < body.length; ) {
    let end = body.indexOf('&', start);
    if (end === -1) end = body.length;
    if (end > start) {
      if (eq < start) {
        eq = body.indexOf('=', start);
        if (eq === -1) eq = body.length;
      }
      const split = eq < end;
      const key = decodeFormPart(body.slice(start, split ? eq : end));
      const value = split ? decodeFormPart(body.slice(eq + 1, end)) : '';
      if (key === undefined || value === undefined) return parseFormLeniently(body);
      addFormValue(out, key, value);
    }
    start = end + 1;
  }
  return out;
}

/** A name or value: `+` is a space, then percent-decoded as UTF-8; undefined if malformed. */
function decodeFormPart(part: string): string | undefined {
  const spaced = part.includes('+') ? part.replaceAll('+', ' ') : part;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

function parseFormLeniently(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) addFormValue(out, key, value);
  return out;
}

/**
 * Adds one parameter to a plain object: own members only are read (`constructor` is a name like
 * any other) and `__proto__` is defined as a member, never used as the prototype setter.
 */
function addFormValue(out: Record<string, string | string[]>, key: string, value: string): void {
  const seen = Object.hasOwn(out, key) ? out[key] : undefined;
  if (seen !== undefined && REPEATABLE.has(key)) {
    // Appended in place: copying the list for each value is quadratic in a long form.
    if (Array.isArray(seen)) seen.push(value);
    else out[key] = [seen, value];
    return;
  }
  if (seen !== undefined)
    throw new ServerError('ERR_VALIDATION', { message: `Invalid request: ${key.slice(0, 40)}: repeated` });
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else out[key] = value;
}
