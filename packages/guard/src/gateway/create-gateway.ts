import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Guard } from '../core/create-guard.js';
import { authorityOf } from '../dpop/request-url.js';
import { GuardError, optionError } from '../errors.js';
import type { RefusalLogger } from '../http/refusal.js';
import { refusalLine } from '../http/refusal.js';
import { isResult } from '../http/settle.js';
import { checkStepUp } from '../policies/auth-strength.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext, AuthResult, RequestLike } from '../types.js';
import { identityHeaders } from './identity-headers.js';
import type { Upstream } from './proxy.js';
import { createUpstream, proxyRequest } from './proxy.js';
import { answerClientError, sendGatewayError, sendGuardError } from './respond.js';
import { compileRoutes, type GatewayRoute } from './routes.js';
import { isUnsafePath } from './safe-path.js';

/** What a gateway policy sees: the original method and URI (forwarded ones in forward-auth mode). */
export interface GatewayRequest {
  method: string;
  uri: string;
  headers: IncomingMessage['headers'];
}

export interface GatewayOptions {
  guard: Guard;
  /** Proxy mode: where verified requests go. Without it the gateway only answers forward-auth checks. */
  upstream?: string;
  /** In proxy mode, also answer forward-auth checks at this path (e.g. '/auth'). */
  authPath?: string;
  /**
   * Answer health checks here without a token: 200 `{ ok, feedConnected, feedStale, feedStalenessMs, keys }`;
   * 503 when no key is loaded or the feed is stale.
   */
  healthPath?: string;
  /** Extra rules after the token and `requiredScopes` checks (and after `routes`). */
  policies?: Policy<GatewayRequest>[];
  /**
   * Per-route step-up rules (RFC 9470), checked right after the token: every rule whose path (and
   * method) covers the request applies, the strictest wins. Checked when the gateway is created.
   */
  routes?: readonly GatewayRoute[];
  /** Request body limit in bytes (413 beyond). Default 10 MiB. */
  maxBodyBytes?: number;
  /** Request header limit in bytes (431 beyond). Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Upstream inactivity timeout in ms (504). Default 30,000. */
  upstreamTimeoutMs?: number;
  /**
   * The gateway sits behind a proxy of yours: keep its X-Forwarded-Proto/-Host/Forwarded/X-Real-IP and
   * append the peer address to its X-Forwarded-For. Default false: those fields are replaced.
   */
  trustProxy?: boolean;
  /** One line per refused request (e.g. `console.warn`); never a token. Default none. */
  onRefused?: RefusalLogger;
}

export interface Gateway {
  readonly server: Server;
  /** Starts listening; resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, cuts open connections and the upstream pool. Does not close the guard. */
  close(): Promise<void>;
}

const FORWARDED_METHOD = 'x-forwarded-method';
const FORWARDED_URI = ['x-forwarded-uri', 'x-original-uri'] as const;

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Node keeps only the first of several `Authorization` fields in `req.headers`, but every copy is in
 * `rawHeaders` and would be forwarded: an upstream that reads another one would act on a card nobody
 * checked. Such a request is refused (RFC 6750 §3.1 invalid_request).
 */
function repeatsAuthorization(rawHeaders: readonly string[]): boolean {
  let seen = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    if (seen) return true;
    seen = true;
  }
  return false;
}

/** The path: up to the query. A `#` is kept (no fragment is ever sent), so `/x#/../admin` is seen whole. */
function pathOf(uri: string): string {
  const q = uri.indexOf('?');
  return q === -1 ? uri : uri.slice(0, q);
}

/**
 * A token-checking reverse proxy (and forward-auth endpoint) on node:http for backends in any language.
 * @example
 * const guard = createGuard({ issuer: 'https://auth.example.com', audience: 'rooms' });
 * const gateway = createGateway({ guard, upstream: 'http://127.0.0.1:3000' });
 * console.log(await gateway.listen(8080, '0.0.0.0'));
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { guard } = options;
  if (guard === undefined || typeof guard.verifyRequestNow !== 'function')
    throw optionError('guard', 'is required');
  const maxHeaderBytes = options.maxHeaderBytes ?? 16 * 1024;
  const upstream: Upstream | undefined =
    options.upstream === undefined
      ? undefined
      : createUpstream(
          options.upstream,
          options.upstreamTimeoutMs ?? 30_000,
          options.maxBodyBytes ?? 10 * 1024 * 1024,
          options.trustProxy ?? false,
        );
  for (const name of ['authPath', 'healthPath'] as const) {
    const path = options[name];
    if (path !== undefined && !path.startsWith('/')) throw optionError(name, 'must start with /');
  }
  const policies = options.policies ?? [];
  const routes = compileRoutes(options.routes);
  const sockets = new Set<Socket>();

  function refuse(res: ServerResponse, view: GatewayRequest, error: GuardError, close: boolean): void {
    options.onRefused?.(refusalLine(error, view.method, view.uri), error);
    sendGuardError(res, error, guard, close);
  }

  function authorize(
    request: RequestLike,
    res: ServerResponse,
    view: GatewayRequest,
    expectsContinue: boolean,
    then: (auth: AuthContext) => void,
  ) {
    // A client waiting for `100 Continue` gets a final answer instead; the connection then closes so
    // an unread body cannot be taken for the next request.
    const deny = (error: GuardError) => refuse(res, view, error, expectsContinue);
    const settle = (result: AuthResult): void => {
      if (!result.ok) {
        deny(result.error);
        return;
      }
      // Step-up first: a card too weak for the route learns nothing of what the policies would say.
      const need = routes?.need(view.method, view.uri);
      const stepUp = need === undefined ? undefined : checkStepUp(result.auth, need);
      if (stepUp !== undefined) {
        deny(stepUp);
        return;
      }
      let denied: ReturnType<typeof checkPolicies>;
      try {
        denied = policies.length === 0 ? undefined : checkPolicies(policies, result.auth, view);
      } catch {
        // A policy that throws denies, as one that rejects does: never an uncaught exception.
        denied = new GuardError('ERR_GUARD_FORBIDDEN');
      }
      if (denied === undefined) then(result.auth);
      else if (denied instanceof Promise) {
        denied.then(
          (d) => (d === undefined ? then(result.auth) : deny(d)),
          () => deny(new GuardError('ERR_GUARD_FORBIDDEN')),
        );
      } else deny(denied);
    };
    const result = guard.verifyRequestNow(request);
    if (isResult(result)) settle(result);
    else result.then(settle, () => deny(new GuardError('ERR_GUARD_NO_KEYS')));
  }

  /**
   * A forward-auth check: the original request is described by the proxy's X-Forwarded-Method,
   * X-Forwarded-Uri (or X-Original-URI), X-Forwarded-Host and X-Forwarded-Proto (Traefik sends all four;
   * the nginx snippet sets them; Envoy sends the original method, path and Host). The DPoP proof is
   * checked against that method and URL (or `publicUrl` + the URI).
   */
  function forwardAuth(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    req.resume(); // the check never needs a body
    const method = single(req.headers[FORWARDED_METHOD]) ?? req.method ?? 'GET';
    const uri =
      single(req.headers[FORWARDED_URI[0]]) ?? single(req.headers[FORWARDED_URI[1]]) ?? req.url ?? '/';
    const view: GatewayRequest = { method, uri, headers: req.headers };
    if (!uri.startsWith('/') || isUnsafePath(pathOf(uri))) {
      refuse(res, view, new GuardError('ERR_GATEWAY_PATH_INVALID'), expectsContinue);
      return;
    }
    const forwardedHost = single(req.headers['x-forwarded-host']) ?? single(req.headers.host);
    // Host only: a path, query or userinfo in it would move the URL the proof is checked against.
    const host = forwardedHost === undefined ? undefined : authorityOf(forwardedHost.split(',')[0]!.trim());
    const proto = single(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim().toLowerCase() ?? 'http';
    const request: RequestLike = {
      headers: req.headers,
      method,
      url: host === undefined ? uri : `${proto === 'https' ? 'https' : 'http'}://${host}${uri}`,
    };
    authorize(request, res, view, expectsContinue, (auth) => {
      res.writeHead(200, { ...identityHeaders(auth), 'cache-control': 'no-store', 'content-length': '0' });
      res.end();
    });
  }

  function health(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const m = guard.metrics();
    // Not ok without keys, or with a feed out of touch past maxStalenessSeconds (the guard refuses cards then).
    const ok = m.jwksKeys > 0 && !(m.feedStale && guard.options.revocation?.stalePolicy === 'reject');
    const body = JSON.stringify({
      ok,
      feedConnected: m.feedConnected,
      feedStale: m.feedStale,
      feedStalenessMs: Number.isFinite(m.feedStalenessMs) ? m.feedStalenessMs : null,
      keys: m.jwksKeys,
    });
    res.writeHead(ok ? 200 : 503, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    res.end(body);
  }

  function handle(req: IncomingMessage, res: ServerResponse, expectsContinue = false): void {
    req.on('error', () => res.destroy());
    res.on('error', () => {});
    const url = req.url ?? '';
    // Only origin-form targets: an absolute-form URL must not choose where the proxy connects.
    if (!url.startsWith('/') || url.startsWith('//')) {
      req.resume();
      sendGatewayError(res, 'ERR_GATEWAY_BAD_REQUEST', true);
      return;
    }
    const path = pathOf(url);
    if (options.healthPath !== undefined && path === options.healthPath) {
      health(req, res);
      return;
    }
    if (repeatsAuthorization(req.rawHeaders)) {
      req.resume();
      const view: GatewayRequest = { method: req.method ?? 'GET', uri: url, headers: req.headers };
      const error = new GuardError('ERR_GUARD_REQUEST_INVALID', { reason: 'several Authorization headers' });
      refuse(res, view, error, true);
      return;
    }
    if (upstream === undefined || (options.authPath !== undefined && path === options.authPath)) {
      forwardAuth(req, res, expectsContinue);
      return;
    }
    const view: GatewayRequest = { method: req.method ?? 'GET', uri: url, headers: req.headers };
    // `/app/` + `../admin` (or `%2e%2e`, `..%2f`, ...) must never leave the upstream's base path.
    if (isUnsafePath(path)) {
      req.resume();
      refuse(res, view, new GuardError('ERR_GATEWAY_PATH_INVALID'), true);
      return;
    }
    const proxied = upstream;
    authorize(req, res, view, expectsContinue, (auth) => {
      if (expectsContinue) res.writeContinue(); // only now may the client send its body
      proxyRequest(req, res, auth, proxied);
    });
  }

  const server = createServer({ maxHeaderSize: maxHeaderBytes, headersTimeout: 20_000 }, (req, res) =>
    handle(req, res),
  );
  // Node answers `Expect: 100-continue` by itself unless this event is handled: the card comes first.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => handle(req, res, true));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    answerClientError(
      socket,
      error.code === 'HPE_HEADER_OVERFLOW' ? 'ERR_GATEWAY_HEADERS_TOO_LARGE' : 'ERR_GATEWAY_BAD_REQUEST',
    );
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shown}:${address.port}`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        upstream?.agent.destroy();
      });
    },
  };
}
