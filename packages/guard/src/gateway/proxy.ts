import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AuthContext } from '../types.js';
import { forwardableHeaders, identityHeaders, responseHeaders } from './identity-headers.js';
import { sendGatewayError } from './respond.js';

export interface Upstream {
  readonly url: URL;
  readonly agent: HttpAgent;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /** The client is a proxy of ours: keep its X-Forwarded-Proto/Host and append to its X-Forwarded-For. */
  readonly trustProxy: boolean;
}

export function createUpstream(
  url: string,
  timeoutMs: number,
  maxBodyBytes: number,
  trustProxy = false,
): Upstream {
  const parsed = new URL(url);
  const agent =
    parsed.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  return { url: parsed, agent, timeoutMs, maxBodyBytes, trustProxy };
}

function upstreamPath(base: URL, requestUrl: string): string {
  const prefix = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  return prefix + requestUrl;
}

/**
 * Streams a verified request to the upstream with the identity headers, and the answer back. Body
 * limit → 413, connection failure → 502, no answer in time → 504; once the answer has started, a
 * failure can only cut the connection. Every stream has an 'error' handler: nothing here can crash.
 */
export function proxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  auth: AuthContext,
  upstream: Upstream,
): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > upstream.maxBodyBytes) {
    req.resume();
    sendGatewayError(res, 'ERR_GATEWAY_BODY_TOO_LARGE', true);
    return;
  }
  const headers: OutgoingHttpHeaders = {};
  // Lower-cased names, so the X-Forwarded-* fields below cannot be duplicated under another case.
  const { trustProxy } = upstream;
  for (const [rawName, value] of forwardableHeaders(req.rawHeaders, req.headers.connection, trustProxy)) {
    const name = rawName.toLowerCase();
    const existing = headers[name];
    headers[name] =
      existing === undefined ? value : ([] as string[]).concat(existing as string | string[], value);
  }
  Object.assign(headers, identityHeaders(auth));
  const socket = req.socket;
  const client = socket.remoteAddress ?? '';
  // Only a trusted proxy's values are kept (forwardableHeaders dropped everyone else's).
  const forwardedFor = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${client}` : client;
  if (!trustProxy || headers['x-forwarded-proto'] === undefined)
    headers['x-forwarded-proto'] = 'encrypted' in socket ? 'https' : 'http';
  if (!trustProxy || headers['x-forwarded-host'] === undefined) {
    if (req.headers.host === undefined) delete headers['x-forwarded-host'];
    else headers['x-forwarded-host'] = req.headers.host;
  }
  headers['host'] = upstream.url.host;

  const send = upstream.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const outgoing = send({
    protocol: upstream.url.protocol,
    hostname: upstream.url.hostname,
    port: upstream.url.port,
    method: req.method,
    path: upstreamPath(upstream.url, req.url ?? '/'),
    headers,
    agent: upstream.agent,
  });
  let failed = false;
  const fail = (
    code: 'ERR_GATEWAY_UPSTREAM' | 'ERR_GATEWAY_UPSTREAM_TIMEOUT' | 'ERR_GATEWAY_BODY_TOO_LARGE',
  ) => {
    if (failed) return;
    failed = true;
    outgoing.destroy();
    req.unpipe(outgoing);
    if (code === 'ERR_GATEWAY_BODY_TOO_LARGE') req.resume();
    sendGatewayError(res, code, code === 'ERR_GATEWAY_BODY_TOO_LARGE');
  };
  outgoing.setTimeout(upstream.timeoutMs, () => fail('ERR_GATEWAY_UPSTREAM_TIMEOUT'));
  outgoing.on('error', () => fail('ERR_GATEWAY_UPSTREAM'));
  outgoing.on('response', (answer) => {
    answer.on('error', () => res.destroy());
    answer.on('aborted', () => res.destroy());
    if (failed) {
      answer.resume();
      return;
    }
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.rawHeaders).flat());
    answer.pipe(res);
  });
  res.on('close', () => {
    // The client went away before the answer was complete: stop the upstream work too.
    if (!res.writableFinished) outgoing.destroy();
  });
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > upstream.maxBodyBytes) fail('ERR_GATEWAY_BODY_TOO_LARGE');
  });
  req.pipe(outgoing);
}
