import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway/index.js';
import { createGateway, parseGatewayArgs } from '../src/gateway/index.js';
import type { Guard } from '../src/index.js';
import { createGuard, requireRoles } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

let issuer: TestIssuer;
let upstream: Server;
let upstreamUrl: string;
let guard: Guard;
let proxy: Gateway;
let proxyUrl: string;
let forward: Gateway;
let forwardUrl: string;
let deadProxy: Gateway;
let deadUrl: string;
let trusting: Gateway;
let trustingUrl: string;
const seen: {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  raw: string[];
  body: string;
}[] = [];

function rawRequest(url: string, text: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    // A hang detector, not a speed limit: generous so a loaded machine cannot fail the test.
    socket.setTimeout(15_000, () => {
      socket.destroy();
      reject(new Error('hang'));
    });
    socket.on('data', (d) => {
      answer += d.toString('latin1');
    });
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.write(text);
  });
}

const status = (raw: string) => Number(raw.slice(9, 12));

beforeAll(async () => {
  issuer = await startTestIssuer();
  upstream = createServer((req, res) => {
    if (req.url?.endsWith('/slow')) return; // never answers
    if (req.url?.endsWith('/big')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 'z');
      for (let i = 0; i < 32; i++) res.write(chunk);
      res.end();
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, raw: req.rawHeaders, body });
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'keep-alive', 'x-upstream': 'yes' });
      res.end(`echo:${body.length}`);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  guard = createGuard({ issuer: issuer.url, audience: 'rooms', requiredScopes: ['rooms:read'] });
  await guard.ready();
  proxy = createGateway({
    guard,
    upstream: `${upstreamUrl}/base`,
    authPath: '/auth',
    healthPath: '/healthz',
    maxBodyBytes: 1024,
    maxHeaderBytes: 4096,
    upstreamTimeoutMs: 300,
  });
  proxyUrl = await proxy.listen();
  forward = createGateway({ guard, policies: [requireRoles('guest')] });
  forwardUrl = await forward.listen();
  deadProxy = createGateway({ guard, upstream: 'http://127.0.0.1:1' });
  deadUrl = await deadProxy.listen();
  trusting = createGateway({ guard, upstream: upstreamUrl, trustProxy: true });
  trustingUrl = await trusting.listen();
});

afterAll(async () => {
  await Promise.all([proxy.close(), forward.close(), deadProxy.close(), trusting.close()]);
  await guard.close();
  await new Promise<void>((r) => upstream.close(() => r()));
  upstream.closeAllConnections();
  await issuer.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (url: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  fetch(url, { headers, signal: AbortSignal.timeout(5000), ...init });

describe('gateway proxy mode', () => {
  it('forwards a verified request with identity headers and strips inbound X-Keycard-*', async () => {
    const token = issuer.sign({
      sub: 'user-7',
      sid: 's7',
      roles: ['guest', 'staff'],
      scope: 'rooms:read rooms:write',
    });
    const res = await get(`${proxyUrl}/rooms/1?x=1`, {
      ...auth(token),
      'X-Keycard-Sub': 'admin',
      'x-keycard-roles': 'manager',
      'X-Keycard-Other': 'spoof',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('echo:0');
    expect(res.headers.get('x-upstream')).toBe('yes');
    const last = seen.at(-1)!;
    expect(last.url).toBe('/base/rooms/1?x=1');
    expect(last.headers['x-keycard-sub']).toBe('user-7');
    expect(last.headers['x-keycard-roles']).toBe('guest,staff');
    expect(last.headers['x-keycard-scope']).toBe('rooms:read rooms:write');
    expect(last.headers['x-keycard-session']).toBe('s7');
    expect(last.headers['x-keycard-client']).toBe('keycard-web');
    expect(last.headers['x-keycard-other']).toBeUndefined();
    expect(last.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(last.headers.host).toBe(new URL(upstreamUrl).host);
  });

  /** Every value the upstream got under a name a CGI/WSGI/PHP/Rack backend reads as `HTTP_<NAME>`. */
  const asCgi = (raw: string[], name: string) =>
    raw.filter((_, i) => i % 2 === 1 && `HTTP_${raw[i - 1]!.toUpperCase().replaceAll('-', '_')}` === name);

  it('drops inbound X_Keycard_* and every other header name with more than letters, digits and -', async () => {
    const token = issuer.sign({ sub: 'user-8', sid: 's8', roles: ['guest'] });
    const res = await get(`${proxyUrl}/x`, {
      ...auth(token),
      X_Keycard_Session: 'victim-session',
      X_KEYCARD_ROLES: 'manager',
      x_keycard_sub: 'admin',
      'X.Keycard.Client': 'dotted',
      X_Forwarded_Host: 'evil.example',
      'X-Note': 'kept',
    });
    expect(res.status).toBe(200);
    const { raw, headers } = seen.at(-1)!;
    expect(raw.filter((name, i) => i % 2 === 0 && !/^[A-Za-z0-9-]+$/.test(name))).toEqual([]);
    expect(asCgi(raw, 'HTTP_X_KEYCARD_SESSION')).toEqual(['s8']);
    expect(asCgi(raw, 'HTTP_X_KEYCARD_ROLES')).toEqual(['guest']);
    expect(asCgi(raw, 'HTTP_X_KEYCARD_SUB')).toEqual(['user-8']);
    expect(raw.filter((_, i) => i % 2 === 1 && raw[i] === 'dotted')).toEqual([]);
    expect(headers['x-note']).toBe('kept');
  });

  it('a token without sid or client_id: the upstream sees no client-supplied session or client', async () => {
    const token = issuer.sign({ sub: 'svc', sid: undefined, client_id: undefined, roles: undefined });
    const res = await get(`${proxyUrl}/x`, {
      ...auth(token),
      'X-Keycard-Session': 'dash-session',
      X_Keycard_Session: 'underscore-session',
      'X-Keycard-Client': 'dash-client',
      X_Keycard_Client: 'underscore-client',
    });
    expect(res.status).toBe(200);
    const { raw } = seen.at(-1)!;
    // Always set by the gateway, empty when the token has no such claim.
    expect(asCgi(raw, 'HTTP_X_KEYCARD_SESSION')).toEqual(['']);
    expect(asCgi(raw, 'HTTP_X_KEYCARD_CLIENT')).toEqual(['']);
    expect(asCgi(raw, 'HTTP_X_KEYCARD_ROLES')).toEqual(['']);
  });

  it('replaces inbound X-Forwarded-For/Proto/Host, Forwarded and X-Real-IP', async () => {
    const res = await get(`${proxyUrl}/x`, {
      ...auth(issuer.sign()),
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'evil.example',
      'X-Forwarded-For': '203.0.113.9',
      Forwarded: 'for=203.0.113.9;proto=https;host=evil.example',
      'X-Real-IP': '203.0.113.9',
    });
    expect(res.status).toBe(200);
    const { raw, headers } = seen.at(-1)!;
    expect(asCgi(raw, 'HTTP_X_FORWARDED_PROTO')).toEqual(['http']);
    expect(asCgi(raw, 'HTTP_X_FORWARDED_HOST')).toEqual([new URL(proxyUrl).host]);
    expect(asCgi(raw, 'HTTP_X_FORWARDED_FOR')).toEqual(['127.0.0.1']);
    expect(headers.forwarded).toBeUndefined();
    expect(headers['x-real-ip']).toBeUndefined();
  });

  it("with trustProxy, appends to X-Forwarded-For and keeps the proxy's Proto/Host", async () => {
    const res = await get(`${trustingUrl}/x`, {
      ...auth(issuer.sign()),
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'rooms.example',
      'X-Forwarded-For': '203.0.113.9',
    });
    expect(res.status).toBe(200);
    const { raw } = seen.at(-1)!;
    expect(asCgi(raw, 'HTTP_X_FORWARDED_PROTO')).toEqual(['https']);
    expect(asCgi(raw, 'HTTP_X_FORWARDED_HOST')).toEqual(['rooms.example']);
    expect(asCgi(raw, 'HTTP_X_FORWARDED_FOR')).toEqual(['203.0.113.9, 127.0.0.1']);
    const bare = await get(`${trustingUrl}/x`, auth(issuer.sign()));
    expect(bare.status).toBe(200);
    expect(asCgi(seen.at(-1)!.raw, 'HTTP_X_FORWARDED_PROTO')).toEqual(['http']);
    expect(asCgi(seen.at(-1)!.raw, 'HTTP_X_FORWARDED_FOR')).toEqual(['127.0.0.1']);
  });

  it('streams request bodies to the upstream', async () => {
    const token = issuer.sign();
    const res = await get(`${proxyUrl}/upload`, auth(token), { method: 'POST', body: 'x'.repeat(1000) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('echo:1000');
  });

  it('streams large answers back', async () => {
    const res = await get(`${proxyUrl}/big`, auth(issuer.sign()));
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(32 * 64 * 1024);
  });

  it('answers bad credentials itself with 401/400/403, never 5xx', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [Record<string, string>, number, string][] = [
      [{}, 401, 'ERR_GUARD_TOKEN_MISSING'],
      [{ authorization: 'Bearer not a token' }, 400, 'ERR_GUARD_REQUEST_INVALID'],
      [{ authorization: 'Bearer abc' }, 401, 'ERR_GUARD_TOKEN_INVALID'],
      [auth(`${issuer.sign().slice(0, -4)}AAAA`), 401, 'ERR_GUARD_TOKEN_INVALID'],
      [auth(issuer.sign({ exp: now - 100, iat: now - 700 })), 401, 'ERR_GUARD_TOKEN_INVALID'],
      [auth(issuer.sign({ aud: 'garage' })), 401, 'ERR_GUARD_TOKEN_INVALID'],
      [auth(issuer.sign({ scope: 'pool' })), 403, 'ERR_GUARD_INSUFFICIENT_SCOPE'],
    ];
    const before = seen.length;
    for (const [headers, code, errorCode] of cases) {
      const res = await get(`${proxyUrl}/rooms`, headers);
      expect(res.status, errorCode).toBe(code);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe(errorCode);
      if (code === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="keycard"/);
    }
    expect(seen.length).toBe(before);
  });

  it('answers 413 for a declared or streamed body over the limit', async () => {
    const token = issuer.sign();
    const declared = await get(`${proxyUrl}/upload`, auth(token), { method: 'POST', body: 'x'.repeat(5000) });
    expect(declared.status).toBe(413);
    const chunked = await rawRequest(
      proxyUrl,
      `POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `400\r\n${'y'.repeat(1024)}\r\n400\r\n${'y'.repeat(1024)}\r\n0\r\n\r\n`,
    );
    expect(status(chunked)).toBe(413);
  });

  it('answers 431 for oversized headers and 400 for malformed requests, CR/LF and absolute-form targets', async () => {
    const token = issuer.sign();
    expect(
      status(await rawRequest(proxyUrl, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`)),
    ).toBe(431);
    expect(status(await rawRequest(proxyUrl, 'GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n'))).toBe(400);
    expect(status(await rawRequest(proxyUrl, 'NOT HTTP AT ALL\r\n\r\n'))).toBe(400);
    expect(
      status(
        await rawRequest(
          proxyUrl,
          `GET http://evil.example/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`,
        ),
      ),
    ).toBe(400);
    // A header "injected" as its own line is just another inbound X-Keycard-* header: stripped.
    const before = seen.length;
    const injected = await rawRequest(
      proxyUrl,
      `GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nX-Note: a\r\nX-Keycard-Sub: root\r\nConnection: close\r\n\r\n`,
    );
    expect(status(injected)).toBe(200);
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)!.headers['x-keycard-sub']).toBe('user-1');
  });

  it('percent-encodes claim values that could break a header', async () => {
    const token = issuer.sign({ sub: 'evil\r\nX-Keycard-Roles: manager', roles: ['a,b', 'ü'] });
    const res = await get(`${proxyUrl}/x`, auth(token));
    expect(res.status).toBe(200);
    const headers = seen.at(-1)!.headers;
    expect(headers['x-keycard-sub']).toBe('evil%0D%0AX-Keycard-Roles: manager');
    expect(decodeURIComponent(headers['x-keycard-sub'] as string)).toBe('evil\r\nX-Keycard-Roles: manager');
    expect(headers['x-keycard-roles']).toBe('a%2Cb,%C3%BC');
  });

  it('answers 504 when the upstream is silent and 502 when it is down', async () => {
    const token = issuer.sign();
    const slow = await get(`${proxyUrl}/slow`, auth(token));
    expect(slow.status).toBe(504);
    expect(((await slow.json()) as { error: { code: string } }).error.code).toBe(
      'ERR_GATEWAY_UPSTREAM_TIMEOUT',
    );
    const dead = await get(`${deadUrl}/x`, auth(token));
    expect(dead.status).toBe(502);
    expect(((await dead.json()) as { error: { code: string } }).error.code).toBe('ERR_GATEWAY_UPSTREAM');
  });

  it('answers health checks at --health-path without a token', async () => {
    const res = await get(`${proxyUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      feedConnected: expect.any(Boolean),
      feedStale: false,
      feedStalenessMs: expect.any(Number),
      keys: 1,
    });
  });

  it('answers forward-auth checks at --auth-path without calling the upstream', async () => {
    const before = seen.length;
    const res = await get(`${proxyUrl}/auth`, auth(issuer.sign({ sub: 'u-fa' })));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-keycard-sub')).toBe('u-fa');
    expect(seen.length).toBe(before);
  });
});

describe('gateway forward-auth mode', () => {
  it('answers 200 with identity headers, 401 and 403 on any path', async () => {
    const ok = await get(`${forwardUrl}/auth`, {
      ...auth(issuer.sign()),
      'x-forwarded-uri': '/rooms/1',
      'x-forwarded-method': 'POST',
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-keycard-sub')).toBe('user-1');
    expect(ok.headers.get('x-keycard-scope')).toBe('rooms:read');
    expect((await get(`${forwardUrl}/anything`)).status).toBe(401);
    const staffOnly = await get(`${forwardUrl}/auth`, auth(issuer.sign({ roles: ['staff'] })));
    expect(staffOnly.status).toBe(403);
    expect(((await staffOnly.json()) as { error: { code: string } }).error.code).toBe(
      'ERR_GUARD_FORBIDDEN_ROLE',
    );
  });
});

describe('parseGatewayArgs', () => {
  it('builds guard options and names a missing flag', async () => {
    const args = await parseGatewayArgs([
      '--upstream',
      'http://127.0.0.1:3000',
      '--issuer',
      'http://127.0.0.1:4000',
      '--audience',
      'rooms',
      '--scope',
      'rooms:read',
      '--port',
      '9000',
    ]);
    expect(args.guard).toMatchObject({
      issuer: 'http://127.0.0.1:4000',
      audience: ['rooms'],
      requiredScopes: ['rooms:read'],
    });
    expect(args.port).toBe(9000);
    await expect(parseGatewayArgs(['--issuer', 'http://x', '--audience', 'a'])).rejects.toMatchObject({
      code: 'ERR_GUARD_OPTIONS_INVALID',
      option: '--upstream',
    });
    await expect(
      parseGatewayArgs(['--forward-auth', '--jwks', 'keys.json', '--audience', 'a']),
    ).rejects.toMatchObject({
      option: '--iss',
    });
    await expect(parseGatewayArgs(['--forward-auth', '--bogus'])).rejects.toMatchObject({
      option: 'arguments',
    });
  });

  it('takes units in the flag names and refuses the old names, naming the new ones', async () => {
    const base = ['--forward-auth', '--issuer', 'http://127.0.0.1:4000', '--audience', 'rooms'];
    const args = await parseGatewayArgs([
      ...base,
      '--upstream-timeout-ms',
      '1500',
      '--max-staleness-seconds',
      '7',
    ]);
    expect(args.upstreamTimeoutMs).toBe(1500);
    expect(args.guard.revocation).toMatchObject({ maxStalenessSeconds: 7 });
    const renamed: [string[], string, string][] = [
      [['--timeout', '5'], '--timeout', '--upstream-timeout-ms'],
      [['--timeout=5'], '--timeout', '--upstream-timeout-ms'],
      [['--max-staleness', '5'], '--max-staleness', '--max-staleness-seconds'],
    ];
    for (const [flags, option, now] of renamed) {
      await expect(parseGatewayArgs([...base, ...flags])).rejects.toMatchObject({
        code: 'ERR_GUARD_OPTIONS_INVALID',
        option,
        message: expect.stringContaining(now),
      });
    }
  });
});
