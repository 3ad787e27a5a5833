import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Guard } from '../core/create-guard.js';
import { optionError } from '../errors.js';
import { isResult } from '../http/settle.js';
import { checkPolicies } from '../policies/compose.js';
import type { Policy } from '../policies/policy.js';
import type { AuthContext, AuthResult } from '../types.js';
import { identityHeaders } from './identity-headers.js';
import type { Upstream } from './proxy.js';
import { createUpstream, proxyRequest } from './proxy.js';
import { answerClientError, sendGatewayError, sendGuardError } from './respond.js';

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
  /** Extra rules after the token and `requiredScopes` checks. */
  policies?: Policy<GatewayRequest>[];
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

/**
 * A token-checking reverse proxy (and forward-auth endpoint) on node:http for backends in any language.
 * @example
 * const guard = createGuard({ issuer: 'https://auth.example.com', audience: 'rooms' });
 * const gateway = createGateway({ guard, upstream: 'http://127.0.0.1:3000' });
 * console.log(await gateway.listen(8080, '0.0.0.0'));
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { guard } = options;
  if (guard === undefined || typeof guard.authenticate !== 'function')
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
  const realm = guard.options.realm;
  const sockets = new Set<Socket>();

  function authorize(
    req: IncomingMessage,
    res: ServerResponse,
    view: GatewayRequest,
    then: (auth: AuthContext) => void,
  ) {
    const settle = (result: AuthResult): void => {
      if (!result.ok) {
        sendGuardError(res, result.error, realm);
        return;
      }
      const denied = policies.length === 0 ? undefined : checkPolicies(policies, result.auth, view);
      if (denied === undefined) then(result.auth);
      else if (denied instanceof Promise) {
        denied.then(
          (d) => (d === undefined ? then(result.auth) : sendGuardError(res, d, realm)),
          () => sendGatewayError(res, 'ERR_GUARD_FORBIDDEN'),
        );
      } else sendGuardError(res, denied, realm);
    };
    const result = guard.authenticate(req);
    if (isResult(result)) settle(result);
    else result.then(settle, () => sendGatewayError(res, 'ERR_GUARD_NO_KEYS'));
  }

  function forwardAuth(req: IncomingMessage, res: ServerResponse): void {
    req.resume(); // the check never needs a body
    const method = req.headers[FORWARDED_METHOD];
    const uri = req.headers[FORWARDED_URI[0]] ?? req.headers[FORWARDED_URI[1]];
    const view: GatewayRequest = {
      method: typeof method === 'string' ? method : (req.method ?? 'GET'),
      uri: typeof uri === 'string' ? uri : (req.url ?? '/'),
      headers: req.headers,
    };
    authorize(req, res, view, (auth) => {
      res.writeHead(200, { ...identityHeaders(auth), 'cache-control': 'no-store', 'content-length': '0' });
      res.end();
    });
  }

  function health(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const m = guard.metrics();
    // Not ok without keys, or with a feed out of touch past maxStaleness (the guard refuses cards then).
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

  function handle(req: IncomingMessage, res: ServerResponse): void {
    req.on('error', () => res.destroy());
    res.on('error', () => {});
    const url = req.url ?? '';
    // Only origin-form targets: an absolute-form URL must not choose where the proxy connects.
    if (!url.startsWith('/') || url.startsWith('//')) {
      req.resume();
      sendGatewayError(res, 'ERR_GATEWAY_BAD_REQUEST', true);
      return;
    }
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (options.healthPath !== undefined && path === options.healthPath) {
      health(req, res);
      return;
    }
    if (upstream === undefined || (options.authPath !== undefined && path === options.authPath)) {
      forwardAuth(req, res);
      return;
    }
    const view: GatewayRequest = { method: req.method ?? 'GET', uri: url, headers: req.headers };
    authorize(req, res, view, (auth) => proxyRequest(req, res, auth, upstream));
  }

  const server = createServer({ maxHeaderSize: maxHeaderBytes, headersTimeout: 20_000 }, handle);
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
