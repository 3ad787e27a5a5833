import type { IncomingMessage, Server } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway/index.js';
import { createGateway, parseGatewayArgs } from '../src/gateway/index.js';
import type { Guard } from '../src/index.js';
import { createGuard } from '../src/index.js';
import type { DpopHolder } from './support/dpop.js';
import { dpopHolder } from './support/dpop.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

let issuer: TestIssuer;
let upstream: Server;
let guard: Guard;
let proxy: Gateway;
let proxyUrl: string;
let forward: Gateway;
let forwardUrl: string;
let alice: DpopHolder;
let mallory: DpopHolder;
const seen: string[] = [];
const seenHeaders: IncomingMessage['headers'][] = [];
const refused: string[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
  alice = await dpopHolder(issuer);
  mallory = await dpopHolder(issuer);
  upstream = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      seenHeaders.push(req.headers);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok:${body.length}`);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  guard = createGuard({ issuer: issuer.url, audience: 'rooms', revocation: false });
  await guard.ready();
  proxy = createGateway({ guard, upstream: `${upstreamUrl}/app/`, onRefused: (line) => refused.push(line) });
  proxyUrl = await proxy.listen();
  forward = createGateway({ guard });
  forwardUrl = await forward.listen();
});

afterAll(async () => {
  await Promise.all([proxy.close(), forward.close()]);
  await guard.close();
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
  await issuer.close();
});

const send = (url: string, headers: Record<string, string>, method = 'GET') =>
  fetch(url, { method, headers, signal: AbortSignal.timeout(5000) });
const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

/** Writes raw bytes and collects the answer until the server closes or `done` says enough. */
function raw(base: string, text: string, done: (answer: string) => boolean = () => false): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error('hang'));
    });
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (done(answer)) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.write(text);
  });
}

describe('keycard gateway with DPoP', () => {
  it('proxy mode: a bound card with a fresh proof passes; as Bearer, without proof, other key, replayed: 401', async () => {
    const url = `${proxyUrl}/rooms/1`;
    const card = alice.card();
    const headers = alice.headers('GET', url, card);
    const ok = await send(url, headers);
    expect(ok.status).toBe(200);
    expect(seen.at(-1)).toBe('GET /app/rooms/1 ');
    const replayed = await send(url, headers);
    expect([replayed.status, await codeOf(replayed)]).toEqual([401, 'ERR_GUARD_DPOP_PROOF_REPLAYED']);
    expect(replayed.headers.get('www-authenticate')).toContain(
      'DPoP realm="keycard", error="invalid_dpop_proof"',
    );
    const bearer = await send(url, { authorization: `Bearer ${card}` });
    expect([bearer.status, await codeOf(bearer)]).toEqual([401, 'ERR_GUARD_TOKEN_BOUND']);
    const none = await send(url, { authorization: `DPoP ${card}` });
    expect([none.status, await codeOf(none)]).toEqual([401, 'ERR_GUARD_DPOP_PROOF_INVALID']);
    const other = await send(url, { authorization: `DPoP ${card}`, dpop: mallory.proof('GET', url, card) });
    expect([other.status, await codeOf(other)]).toEqual([401, 'ERR_GUARD_DPOP_PROOF_INVALID']);
    const post = await send(url, alice.headers('GET', url, card), 'POST');
    expect([post.status, await codeOf(post)]).toEqual([401, 'ERR_GUARD_DPOP_PROOF_INVALID']);
    expect(refused.some((l) => l.includes('ERR_GUARD_DPOP_PROOF_REPLAYED'))).toBe(true);
    for (const line of refused) expect(line).not.toContain(card.slice(0, 30));
  });

  it('forward-auth: the proof is checked against X-Forwarded-Method/-Uri/-Host/-Proto (nginx snippet, Traefik)', async () => {
    const card = alice.card();
    const original = 'https://rooms.example.com/rooms/1?view=full';
    const forwarded = {
      'x-forwarded-method': 'POST',
      'x-forwarded-uri': '/rooms/1?view=full',
      'x-forwarded-host': 'rooms.example.com',
      'x-forwarded-proto': 'https',
    };
    const ok = await send(`${forwardUrl}/auth`, { ...forwarded, ...alice.headers('POST', original, card) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-keycard-sub')).toBe('user-1');
    const wrongMethod = await send(`${forwardUrl}/auth`, {
      ...forwarded,
      ...alice.headers('GET', original, card),
    });
    expect([wrongMethod.status, await codeOf(wrongMethod)]).toEqual([401, 'ERR_GUARD_DPOP_PROOF_INVALID']);
    const wrongHost = await send(`${forwardUrl}/auth`, {
      ...forwarded,
      ...alice.headers('POST', 'https://other.example.com/rooms/1', card),
    });
    expect(wrongHost.status).toBe(401);
  });

  it('forward-auth, Envoy style: the original method, path and Host arrive as the request itself', async () => {
    const card = alice.card();
    const status = await new Promise<number>((resolve, reject) => {
      const { port } = new URL(forwardUrl);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'DELETE',
          path: '/rooms/7',
          headers: {
            host: 'rooms.internal:8443',
            'x-forwarded-proto': 'https',
            ...alice.headers('DELETE', 'https://rooms.internal:8443/rooms/7', card),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});

describe('gateway identity headers for subjects and delegation', () => {
  it('says whether the card is a user or a client card, and the act chain', async () => {
    const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'x-keycard-actor': 'spoof' });
    const delegated = issuer.sign({ act: { sub: 'billing-svc', act: { sub: 'rooms-svc' } } });
    expect((await send(`${proxyUrl}/x`, bearer(delegated))).status).toBe(200);
    expect(seenHeaders.at(-1)).toMatchObject({
      'x-keycard-sub': 'user-1',
      'x-keycard-subject-type': 'user',
      'x-keycard-actor': 'billing-svc,rooms-svc',
    });
    const client = issuer.sign({ sub: 'user-1', client_id: 'user-1', sid: undefined, roles: undefined });
    expect((await send(`${proxyUrl}/x`, bearer(client))).status).toBe(200);
    expect(seenHeaders.at(-1)).toMatchObject({ 'x-keycard-subject-type': 'client', 'x-keycard-actor': '' });
  });
});

describe('gateway paths (issue 9 item 7)', () => {
  const token = () => issuer.sign();
  const unsafe = [
    '/../admin',
    '/%2e%2e/admin',
    '/%2E%2E/admin',
    '/%2e%2E/admin',
    '/.%2e/admin',
    '/..%2fadmin',
    '/rooms/..%2F..%2Fadmin',
    '/%252e%252e/admin',
    '/..;/admin',
    '/./admin',
    '/rooms/%2fadmin',
    '/rooms/%5cadmin',
    '/rooms\\..\\admin',
    '/rooms/..',
  ];
  it('refuses dot-segments and encoded separators with 400 before the card, policies and the upstream', async () => {
    const before = seen.length;
    for (const path of unsafe) {
      for (const auth of [`Bearer ${token()}`, undefined]) {
        const answer = await raw(
          proxyUrl,
          `GET ${path} HTTP/1.1\r\nhost: x\r\n${auth ? `authorization: ${auth}\r\n` : ''}connection: close\r\n\r\n`,
        );
        expect(answer.slice(9, 12), path).toBe('400');
        expect(answer).toContain('ERR_GATEWAY_PATH_INVALID');
      }
    }
    expect(seen.length).toBe(before);
  });

  it('still forwards ordinary paths, dots inside names and dots in the query', async () => {
    for (const path of ['/rooms/1', '/files/a..b', '/files/.well-known', '/rooms?next=../admin', '/x/%41']) {
      const answer = await raw(
        proxyUrl,
        `GET ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token()}\r\nconnection: close\r\n\r\n`,
      );
      expect(answer.slice(9, 12), path).toBe('200');
      expect(seen.at(-1)).toBe(`GET /app${path} `);
    }
  });

  it('forward-auth refuses a forwarded URI with dot-segments', async () => {
    const res = await send(`${forwardUrl}/auth`, {
      authorization: `Bearer ${token()}`,
      'x-forwarded-uri': '/app/%2E%2E/admin',
    });
    expect([res.status, await codeOf(res)]).toEqual([400, 'ERR_GATEWAY_PATH_INVALID']);
  });

  it('sends 100 Continue only after the card is checked', async () => {
    const head = (auth: string) =>
      `POST /upload HTTP/1.1\r\nhost: x\r\nauthorization: ${auth}\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n`;
    const refusedAnswer = await raw(proxyUrl, head('Bearer nope.nope.nope'), (a) => a.includes('\r\n\r\n'));
    expect(refusedAnswer.startsWith('HTTP/1.1 401')).toBe(true);
    expect(refusedAnswer).not.toContain('100 Continue');
    const accepted = await new Promise<string>((resolve, reject) => {
      const socket: Socket = connect(Number(new URL(proxyUrl).port), '127.0.0.1');
      let answer = '';
      socket.setTimeout(5000, () => {
        socket.destroy();
        reject(new Error('hang'));
      });
      socket.on('data', (d) => {
        answer += d.toString('latin1');
        if (answer === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('hello');
        if (answer.includes('ok:5')) {
          socket.destroy();
          resolve(answer);
        }
      });
      socket.on('error', reject);
      socket.write(head(`Bearer ${token()}`));
    });
    expect(accepted.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200')).toBe(true);
    expect(seen.at(-1)).toBe('POST /app/upload hello');
  });
});

describe('gateway flags for DPoP', () => {
  it('--public-url, --trust-proxy, --dpop-nonce, --no-dpop, --log-refused', async () => {
    const base = ['--forward-auth', '--issuer', 'http://127.0.0.1:4000', '--audience', 'rooms'];
    const args = await parseGatewayArgs([
      ...base,
      '--public-url',
      'https://rooms.example.com',
      '--dpop-nonce',
      '--trust-proxy',
      '--log-refused',
    ]);
    expect(args.guard).toMatchObject({
      publicUrl: 'https://rooms.example.com',
      trustProxy: true,
      dpop: { nonce: true },
    });
    expect(args.logRefused).toBe(true);
    expect((await parseGatewayArgs([...base, '--no-dpop'])).guard.dpop).toBe(false);
    await expect(parseGatewayArgs([...base, '--no-dpop', '--dpop-nonce'])).rejects.toMatchObject({
      option: '--dpop-nonce',
    });
  });
});
