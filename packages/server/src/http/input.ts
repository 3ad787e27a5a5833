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
 * except `resource` and `audience`, which become arrays when repeated.
 */
export function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(body)) {
    const seen = out[key];
    if (seen !== undefined && REPEATABLE.has(key)) {
      // Appended in place: copying the list for each value is quadratic in a long form.
      if (Array.isArray(seen)) seen.push(value);
      else out[key] = [seen, value];
      continue;
    }
    if (seen !== undefined)
      throw new ServerError('ERR_VALIDATION', { message: `Invalid request: ${key.slice(0, 40)}: repeated` });
    out[key] = value;
  }
  return { ...out };
}
