import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGateway } from '../src/gateway/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

/** A complete request with no card, sent after a CR/LF-only preamble. */
const NEXT_REQUEST = Buffer.from('GET /auth HTTP/1.1\r\nHost: x\r\n\r\n');

let issuer: TestIssuer;
let dir: string;
let gateway: Awaited<ReturnType<typeof runGateway>>;

function raw(url: string, bytes: Buffer): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    // A hang detector, not a speed limit: generous so a loaded machine cannot fail the test.
    socket.setTimeout(15_000, () => {
      socket.destroy();
      reject(new Error('the gateway hung'));
    });
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      // One answer is enough; keep-alive would otherwise hold the socket open.
      if (/\r\n\r\n/.test(answer)) socket.destroy();
    });
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.write(bytes);
  });
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  dir = mkdtempSync(join(tmpdir(), 'keycard-gateway-'));
  const file = join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: issuer.keys.map((k) => k.publicKey.toJWK()) }));
  gateway = await runGateway([
    '--forward-auth',
    '--jwks',
    file,
    '--iss',
    issuer.url,
    '--audience',
    'rooms',
    '--port',
    '0',
    '--max-header',
    '2048',
  ]);
});
afterAll(async () => {
  await gateway.close();
  await issuer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('keycard gateway from command-line arguments', () => {
  it('answers forward-auth checks with a JWKS file', async () => {
    const ok = await fetch(`${gateway.url}/auth`, { headers: { authorization: `Bearer ${issuer.sign()}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-keycard-sub')).toBe('user-1');
    expect((await fetch(`${gateway.url}/auth`)).status).toBe(401);
  });

  it('never answers 5xx nor hangs, whatever bytes arrive', async () => {
    const token = issuer.sign();
    const line = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a).toString('latin1'));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // arbitrary bytes, ended like a header block (a client that sends half a request and waits
          // is answered by headersTimeout, not in this test)
          fc
            .uint8Array({ minLength: 1, maxLength: 600 })
            .map((a) => Buffer.concat([Buffer.from(a), Buffer.from('\r\n\r\n')])),
          // a request line and headers with arbitrary values, sometimes with the real token
          fc
            .record({
              method: fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'DELETE', 'G\rT'),
              path: line,
              name: fc.constantFrom('Authorization', 'X-Keycard-Sub', 'Cookie', 'X-Forwarded-Uri', 'Host'),
              value: fc.oneof(
                line,
                fc.constant(`Bearer ${token}`),
                fc.constant(`Bearer ${token}\r\nX-Keycard-Sub: root`),
              ),
              pad: fc.nat(3000),
            })
            .map(({ method, path, name, value, pad }) =>
              Buffer.from(
                `${method} /${path} HTTP/1.1\r\nHost: x\r\n${name}: ${value}\r\nX-Pad: ${'p'.repeat(pad)}\r\n\r\n`,
                'latin1',
              ),
            ),
        ),
        async (bytes) => {
          // RFC 9112 §2.2: a server ignores empty lines before the request line (Node's parser skips
          // every leading CR and LF). Input made only of CR/LF is therefore not a request yet, and
          // waiting for one is correct, not a hang. Such input has no request line to answer, so the
          // property sends one after it: the gateway must then answer that request (401, no card).
          const preambleOnly = bytes.every((b) => b === 13 || b === 10);
          if (preambleOnly) {
            const answer = await raw(gateway.url, Buffer.concat([bytes, NEXT_REQUEST]));
            expect(answer.slice(9, 12)).toBe('401');
            return;
          }
          const answer = await raw(gateway.url, bytes);
          if (answer === '') return; // the parser may close on garbage without a word
          const status = Number(answer.slice(9, 12));
          expect([200, 400, 401, 403, 413, 431]).toContain(status);
        },
      ),
      {
        numRuns: 150,
        // The inputs that made this test fail at random, always checked.
        examples: [[Buffer.from('\n\r\n\r\n')], [Buffer.from('\r\r\n\r\n')], [Buffer.from('\r\n\r\n\r\n')]],
      },
    );
  });
});
