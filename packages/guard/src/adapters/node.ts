import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '../core/create-guard.js';
import type { GuardError } from '../errors.js';
import { errorResponse } from '../http/error-response.js';
import type { RefusalLogger } from '../http/refusal.js';
import { refusal, refusalLine } from '../http/refusal.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext } from '../types.js';

/**
 * Answers a GuardError on a node:http response (401/400/403/503 with `WWW-Authenticate` and a JSON body).
 * Pass the guard (rather than a realm) to get its realm and its `DPoP algs` challenge.
 * @example
 * if (!result.ok) return sendError(res, result.error, guard);
 */
export function sendError(res: ServerResponse, error: GuardError, realm: string | Guard = 'keycard'): void {
  const { status, headers, body } =
    typeof realm === 'string' ? errorResponse(error, realm) : refusal(realm, error);
  if (!res.headersSent) res.writeHead(status, headers);
  res.end(body);
}

/**
 * For plain `node:http`: returns `authenticate(req, res)`, which resolves to the AuthContext, or to null
 * after answering the failure itself (then just return from your handler). Bearer and DPoP cards
 * (the proof is checked against `req.method` and `req.url`). `onRefused` gets one line per refusal.
 * @example
 * const auth = authenticate(guard, { policies: [requireScopes('rooms:read')] });
 * http.createServer(async (req, res) => {
 *   const ctx = await auth(req, res);
 *   if (ctx === null) return;
 *   res.end(`hello ${ctx.sub}`);
 * });
 */
export function authenticate(
  guard: Guard,
  options: { policies?: Policy<IncomingMessage>[]; onRefused?: RefusalLogger } = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<AuthContext | null> {
  const policies = options.policies ?? [];
  const refuse = (req: IncomingMessage, res: ServerResponse, error: GuardError): null => {
    options.onRefused?.(refusalLine(error, req.method, req.url), error);
    sendError(res, error, guard);
    return null;
  };
  return async (req, res) => {
    const result = await guard.authenticate(req);
    if (!result.ok) return refuse(req, res, result.error);
    const denied = policies.length === 0 ? undefined : await checkPolicies(policies, result.auth, req);
    if (denied !== undefined) return refuse(req, res, denied);
    return result.auth;
  };
}
