// A small stand-in for the keycard auth server, per docs/http-api.md: discovery, JWKS, revocation feed
// (SSE + long-poll) and a token endpoint (client_credentials and RFC 8693 token exchange for client
// `svc`, DPoP-bound when the request carries a proof), on loopback. Lets the guard suite run
// without the server package.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AsymmetricAlgorithm, JWTClaims, PrivateKey } from '@keycard/jwt';
import { decodeJWT, generateKeyPair, signJWT, verifyDpopProof } from '@keycard/jwt';

export type FeedEvent =
  | { type: 'session'; sid: string }
  | { type: 'token'; jti: string }
  | { type: 'subject'; sub: string; notBefore: number }
  | { type: 'role'; role: string; notBefore: number }
  | { type: 'key'; kid: string };

export interface TestIssuerOptions {
  alg?: AsymmetricAlgorithm;
  audience?: string;
  jwksCacheControl?: string;
  /** Leave the revocation endpoints out of discovery. */
  noFeed?: boolean;
}

/** An RFC 8693 rule of the test issuer: client `svc` may exchange cards of `from` for `to` with `scopes`. */
export interface ExchangeRule {
  from: string;
  to: string;
  scopes: string[];
}

export interface TestIssuer {
  readonly url: string;
  readonly audience: string;
  /** Keys published in the JWKS; the last one signs. */
  readonly keys: PrivateKey[];
  readonly counts: {
    discovery: number;
    jwks: number;
    stream: number;
    poll: number;
    token: number;
    exchange: number;
  };
  /** Token-exchange rules for client `svc` (default: rooms → billing with billing:charge). */
  exchangeRules: ExchangeRule[];
  /** Require a DPoP nonce on token requests (answer `use_dpop_nonce` first). */
  tokenNonce: string | undefined;
  /** The jkt of the last valid DPoP proof seen on a token request. */
  lastTokenJkt: string | undefined;
  /** Last-Event-ID headers (or after=) seen by the stream endpoint, in order. */
  readonly resumeIds: (string | undefined)[];
  sign(claims?: JWTClaims, options?: { key?: PrivateKey; typ?: string; kid?: string | false }): string;
  /** Adds a new signing key (published at once) and returns it. */
  rotate(): Promise<PrivateKey>;
  /** Publishes a revocation event; returns its cursor. */
  revoke(event: FeedEvent): number;
  /** Events at or below this cursor are forgotten; older resumes get `event: reset`. */
  forgetThrough(cursor: number): void;
  /** down: every request is answered by destroying the socket (and open streams are cut). */
  setDown(down: boolean): void;
  setStreamBroken(broken: boolean): void;
  setJwksDelay(ms: number): void;
  setJwksBody(body: string | undefined): void;
  dropStreams(): void;
  tokenLifetime: number;
  close(): Promise<void>;
}

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const alg = options.alg ?? 'ES256';
  const audience = options.audience ?? 'rooms';
  const keys: PrivateKey[] = [await generateKeyPair(alg)];
  const counts = { discovery: 0, jwks: 0, stream: 0, poll: 0, token: 0, exchange: 0 };
  const resumeIds: (string | undefined)[] = [];
  const events: { cursor: number; body: Record<string, unknown> }[] = [];
  let cursor = 0;
  let forgotten = 0;
  let down = false;
  let streamBroken = false;
  let jwksDelay = 0;
  let jwksBody: string | undefined;
  const streams = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let url = '';

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const after = (from: number) => events.filter((e) => e.cursor > from && e.cursor > forgotten);

  function handle(req: IncomingMessage, res: ServerResponse): unknown {
    if (down) {
      req.socket.destroy();
      return;
    }
    const u = new URL(req.url ?? '/', url);
    switch (u.pathname) {
      case '/.well-known/openid-configuration':
        counts.discovery++;
        return json(res, 200, {
          issuer: url,
          jwks_uri: `${url}/.well-known/jwks.json`,
          token_endpoint: `${url}/oauth/token`,
          ...(options.noFeed
            ? {}
            : {
                keycard_revocations_endpoint: `${url}/revocations`,
                keycard_revocations_stream_endpoint: `${url}/revocations/stream`,
              }),
        });
      case '/.well-known/jwks.json': {
        counts.jwks++;
        const send = () =>
          res
            .writeHead(200, {
              'content-type': 'application/json',
              'cache-control': options.jwksCacheControl ?? 'public, max-age=300',
            })
            .end(jwksBody ?? JSON.stringify({ keys: keys.map((k) => k.publicKey.toJWK()) }));
        if (jwksDelay > 0) setTimeout(send, jwksDelay).unref();
        else send();
        return;
      }
      case '/revocations': {
        counts.poll++;
        const from = Number(u.searchParams.get('after') ?? '0');
        const wait = Math.min(30, Number(u.searchParams.get('wait') ?? '0'));
        const answer = () => json(res, 200, { events: after(from).map((e) => e.body), cursor });
        if (after(from).length > 0 || wait <= 0) return answer();
        const timer = setTimeout(done, wait * 1000);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          if (!res.writableEnded) answer();
        }
        waiters.add(done);
        res.on('close', () => {
          clearTimeout(timer);
          waiters.delete(done);
        });
        return;
      }
      case '/revocations/stream': {
        counts.stream++;
        if (streamBroken) return json(res, 503, { error: { code: 'ERR_UNAVAILABLE', message: 'x' } });
        const last = req.headers['last-event-id'] ?? u.searchParams.get('after') ?? undefined;
        resumeIds.push(typeof last === 'string' ? last : undefined);
        const from = last === undefined ? 0 : Number(last);
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(': connected\n\n');
        if (from > 0 && from < forgotten) res.write(`event: reset\nid: ${forgotten}\ndata: {}\n\n`);
        for (const e of after(from))
          res.write(`id: ${e.cursor}\nevent: revocation\ndata: ${JSON.stringify(e.body)}\n\n`);
        streams.add(res);
        res.on('close', () => streams.delete(res));
        return;
      }
      case '/oauth/token': {
        counts.token++;
        const auth = req.headers.authorization ?? '';
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString();
        });
        req.on('end', () => {
          const form = new URLSearchParams(body);
          const [id, secret] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
            .toString()
            .split(':');
          if (id !== 'svc' || secret !== 'svc-secret') return json(res, 401, { error: 'invalid_client' });
          // DPoP (RFC 9449 §5): a proof binds the card to its key.
          let jkt: string | undefined;
          const proof = req.headers['dpop'];
          if (typeof proof === 'string') {
            try {
              jkt = verifyDpopProof(proof, {
                method: 'POST',
                url: `${url}/oauth/token`,
                ...(issuer.tokenNonce === undefined ? {} : { nonce: issuer.tokenNonce }),
              }).jkt;
            } catch (error) {
              if ((error as { code?: string }).code === 'ERR_DPOP_NONCE_REQUIRED')
                return json(res, 400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': issuer.tokenNonce! });
              return json(res, 400, { error: 'invalid_dpop_proof' });
            }
            issuer.lastTokenJkt = jkt;
          }
          const now = Math.floor(Date.now() / 1000);
          const bound = jkt === undefined ? {} : { cnf: { jkt } };
          const answer = (token: string, scope: string) =>
            json(res, 200, {
              access_token: token,
              token_type: jkt === undefined ? 'Bearer' : 'DPoP',
              expires_in: issuer.tokenLifetime,
              scope,
              ...(form.get('grant_type') === EXCHANGE ? { issued_token_type: ACCESS_TOKEN_TYPE } : {}),
            });
          if (form.get('grant_type') === 'client_credentials') {
            const scope = form.get('scope') ?? '';
            const token = issuer.sign({
              sub: 'svc',
              client_id: 'svc',
              scope,
              sid: undefined,
              roles: undefined,
              exp: now + issuer.tokenLifetime,
              ...bound,
            });
            return answer(token, scope);
          }
          if (form.get('grant_type') !== EXCHANGE) return json(res, 400, { error: 'unsupported_grant_type' });
          counts.exchange++;
          const subjectToken = form.get('subject_token');
          if (form.get('subject_token_type') !== ACCESS_TOKEN_TYPE || subjectToken === null)
            return json(res, 400, { error: 'invalid_request' });
          let subject: JWTClaims;
          try {
            subject = decodeJWT(subjectToken).payload;
          } catch {
            return json(res, 400, { error: 'invalid_grant' });
          }
          if (subject.iss !== url || typeof subject.exp !== 'number' || subject.exp <= now)
            return json(res, 400, { error: 'invalid_grant' });
          const to = form.get('audience') ?? '';
          const rule = issuer.exchangeRules.find((r) => r.from === subject.aud && r.to === to);
          if (rule === undefined) return json(res, 400, { error: 'unauthorized_client' });
          const had = new Set(String(subject['scope'] ?? '').split(' '));
          const asked = (form.get('scope') ?? rule.scopes.join(' ')).split(' ').filter(Boolean);
          if (asked.some((s) => !rule.scopes.includes(s) || !had.has(s)))
            return json(res, 400, { error: 'invalid_scope' });
          const token = issuer.sign({
            sub: subject.sub,
            sid: subject['sid'],
            aud: to,
            client_id: 'svc',
            scope: asked.join(' '),
            roles: undefined,
            act: subject['act'] === undefined ? { sub: 'svc' } : { sub: 'svc', act: subject['act'] },
            exp: Math.min(subject.exp, now + issuer.tokenLifetime),
            ...bound,
          });
          answer(token, asked.join(' '));
        });
        return;
      }
      default:
        json(res, 404, { error: { code: 'ERR_NOT_FOUND', message: 'not found' } });
    }
  }

  const server: Server = createServer(handle);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuer: TestIssuer = {
    url,
    audience,
    keys,
    counts,
    resumeIds,
    tokenLifetime: 600,
    exchangeRules: [{ from: audience, to: 'billing', scopes: ['billing:charge'] }],
    tokenNonce: undefined,
    lastTokenJkt: undefined,
    sign(claims = {}, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const base: JWTClaims = {
        iss: url,
        sub: 'user-1',
        aud: audience,
        exp: now + 600,
        iat: now,
        nbf: now,
        jti: randomUUID(),
        client_id: 'keycard-web',
        scope: 'rooms:read',
        sid: 'session-1',
        roles: ['guest'],
        username: 'alice',
      };
      const merged: JWTClaims = { ...base, ...claims };
      for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
      const key = opts.key ?? keys[keys.length - 1]!;
      return signJWT(merged, key, {
        typ: opts.typ ?? 'at+jwt',
        ...(opts.kid === undefined ? {} : { kid: opts.kid }),
      });
    },
    async rotate() {
      const key = await generateKeyPair(alg);
      keys.push(key);
      return key;
    },
    revoke(event) {
      const now = Math.floor(Date.now() / 1000);
      cursor++;
      const body = { cursor, ...event, at: now, expiresAt: now + 3600 };
      events.push({ cursor, body });
      for (const s of streams) s.write(`id: ${cursor}\nevent: revocation\ndata: ${JSON.stringify(body)}\n\n`);
      for (const w of [...waiters]) w();
      return cursor;
    },
    forgetThrough(c) {
      forgotten = c;
    },
    setDown(d) {
      down = d;
      if (d) issuer.dropStreams();
    },
    setStreamBroken(b) {
      streamBroken = b;
    },
    setJwksDelay(ms) {
      jwksDelay = ms;
    },
    setJwksBody(body) {
      jwksBody = body;
    },
    dropStreams() {
      for (const s of streams) s.destroy();
      streams.clear();
    },
    async close() {
      for (const w of [...waiters]) w();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return issuer;
}

/**
 * Polls `check` until it is true (or fails after `timeoutMs`); for waiting on background work, not timing.
 * The default is a failure bound generous enough for a loaded machine (tests time out at 30 s).
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
