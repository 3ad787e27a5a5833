/** token verify --jwks URL against real loopback servers: success, HTTP errors, size limit, timeout. */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, type PrivateKey, signJWT } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

let server: Server;
let base: string;
let key: PrivateKey;
let token: string;
const hanging = new Set<ServerResponse>();

beforeAll(async () => {
  key = await generateKeyPair('ES256');
  token = signJWT({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 }, key);
  const jwks = JSON.stringify({ keys: [key.publicKey.toJWK()] });
  server = createServer((req, res) => {
    switch (req.url) {
      case '/jwks.json':
        res.setHeader('content-type', 'application/json');
        res.end(jwks);
        return;
      case '/big-declared':
        res.setHeader('content-length', String(2 * 1024 * 1024));
        res.end(Buffer.alloc(2 * 1024 * 1024, 0x20));
        return;
      case '/big-chunked': {
        // No content-length: the limit must hold while streaming.
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const push = () => {
          while (sent < 4 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', push);
          }
          res.end();
        };
        res.on('error', () => {});
        push();
        return;
      }
      case '/hang':
        hanging.add(res); // never answers
        return;
      case '/not-json':
        res.end('<html>');
        return;
      default:
        res.statusCode = 404;
        res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('token verify --jwks URL', () => {
  it('fetches the JWKS once and verifies', async () => {
    const result = await run(['token', 'verify', '--jwks', `${base}/jwks.json`, token]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).sub).toBe('alice');
  });

  it('HTTP errors and non-JSON bodies are I/O errors (exit 2)', async () => {
    expect((await run(['token', 'verify', '--jwks', `${base}/missing`, token])).code).toBe(2);
    expect((await run(['token', 'verify', '--jwks', `${base}/not-json`, token])).code).toBe(2);
    expect((await run(['token', 'verify', '--jwks', 'http://127.0.0.1:1/jwks.json', token])).code).toBe(2);
  });

  it('refuses responses over 1 MiB, declared or streamed', async () => {
    const declared = await run(['token', 'verify', '--jwks', `${base}/big-declared`, token]);
    expect(declared.code).toBe(2);
    expect(declared.stderr).toContain('larger than');
    const chunked = await run(['token', 'verify', '--jwks', `${base}/big-chunked`, token]);
    expect(chunked.code).toBe(2);
    expect(chunked.stderr).toContain('larger than');
  });

  it('gives up after the timeout instead of hanging', async () => {
    const result = await run(['token', 'verify', '--jwks', `${base}/hang`, '--timeout', '300ms', token]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('timed out');
  });
});
