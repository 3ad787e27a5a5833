// Records of the authorization-code flow made straight through storage, for the sign-out tests:
// code-flow clients, browser sessions (with their cookie) and the sessions issued through them.
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { browserSessionCookieValue } from '../../src/http/browser-session.js';
import type { ClientRecord, UserRecord } from '../../src/index.js';
import { createRefreshToken } from '../../src/sessions/token-set.js';
import { issueIdToken } from '../../src/tokens/index.js';
import type { Running } from '../helpers.js';

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 10)}`;

/** A directory with an index.html, so the server serves "the web app" (its sign-out pages). */
export function fakeWebApp(dir: string): string {
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>keycard</title>');
  return dir;
}

/** Registers a public code-flow client straight in storage (the registration rules are another test's). */
export async function addCodeClient(
  r: Running,
  id: string,
  opts: { postLogoutRedirectUris?: string[]; backchannelLogoutUri?: string | null; name?: string } = {},
): Promise<ClientRecord> {
  const ctx = r.server.services;
  const client: ClientRecord = {
    id,
    name: opts.name ?? id,
    type: 'public',
    secretHash: null,
    firstParty: false,
    grants: ['authorization_code', 'refresh_token'],
    audiences: ['rooms'],
    scopes: ['openid', 'offline_access', 'rooms:read'],
    multiAudience: false,
    requireDpop: false,
    tokenExchange: [],
    redirectUris: [`https://${id}.example/cb`],
    postLogoutRedirectUris: opts.postLogoutRedirectUris ?? [],
    backchannelLogoutUri: opts.backchannelLogoutUri ?? null,
    jwks: null,
    createdAt: ctx.clock(),
  };
  await ctx.storage.clients.create(client);
  ctx.directory.invalidate();
  return client;
}

/** A live browser session of the user and the `Cookie` header that carries it. */
export async function addBrowserSession(
  r: Running,
  userId: string,
  opts: { ttlMs?: number } = {},
): Promise<{ id: string; cookie: string }> {
  const ctx = r.server.services;
  const now = ctx.clock();
  const id = nextId('bs');
  await ctx.storage.browserSessions.create({
    id,
    userId,
    authTime: now,
    amr: ['pwd'],
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + (opts.ttlMs ?? 3_600_000),
    endedAt: null,
    endedReason: null,
  });
  return { id, cookie: `__Host-keycard_sso=${browserSessionCookieValue(ctx, id)}` };
}

/** A sign-in session of a client issued through a browser session, with a refresh token. */
export async function addAppSession(
  r: Running,
  input: { userId: string; clientId: string; browserSessionId: string | null; offline?: boolean },
): Promise<{ id: string; refreshToken: string }> {
  const ctx = r.server.services;
  const now = ctx.clock();
  const session = {
    id: nextId('sid'),
    userId: input.userId,
    clientId: input.clientId,
    audiences: ['rooms'],
    scopes: input.offline === true ? ['openid', 'offline_access', 'rooms:read'] : ['openid', 'rooms:read'],
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + 86_400_000,
    revokedAt: null,
    revokedReason: null,
    ip: null,
    userAgent: null,
    dpopJkt: null,
    browserSessionId: input.browserSessionId,
    authTime: now,
    amr: ['pwd'],
    offline: input.offline === true,
  };
  await ctx.storage.sessions.create(session);
  return { id: session.id, refreshToken: await createRefreshToken(ctx, session, now) };
}

/** An ID token as the code flow issues it: `sid` = the browser session. */
export async function idTokenFor(
  r: Running,
  user: UserRecord,
  clientId: string,
  sid: string,
): Promise<string> {
  const ctx = r.server.services;
  const token = await issueIdToken(ctx, {
    clientId,
    user,
    sessionId: sid,
    authTime: ctx.clock(),
    amr: ['pwd'],
    scopes: ['openid'],
  });
  if (token === undefined) throw new Error('no ID token');
  return token;
}

/** One request a {@link Receiver} got. */
export interface Received {
  at: number;
  method: string;
  contentType: string | undefined;
  body: string;
}

/**
 * A real HTTP endpoint on loopback standing in for a client's `backchannel_logout_uri`. `answer`
 * picks each reply (status, or 'hang' to never answer); it may wait on the test.
 */
export interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (n: number, request: Received) => number | 'hang' | Promise<number | 'hang'>,
): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const request: Received = {
        at: performance.now(),
        method: req.method ?? '',
        contentType: req.headers['content-type'],
        body,
      };
      received.push(request);
      void Promise.resolve(answer(received.length, request)).then((status) => {
        if (status === 'hang') return;
        res.writeHead(status, { 'cache-control': 'no-store' }).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
