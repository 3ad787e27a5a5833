import type { AddressInfo } from 'node:net';
import express from 'express';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../src/adapters/express.js';
import type { Guard } from '../src/index.js';
import { createGuard } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

// Interop: a card bound to a key held by oauth4webapi, presented with its DPoP proofs, at a guarded door.
let issuer: TestIssuer;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  for (const close of closers) await close();
  await issuer.close();
});

async function door(guard: Guard): Promise<string> {
  const app = express();
  app.use(authenticate(guard));
  app.get('/rooms/:id', (req, res) => {
    res.json({ sub: req.auth!.sub, tokenType: req.auth!.tokenType });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  closers.push(async () => {
    await guard.close();
    await new Promise((r) => server.close(r));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const guardFor = (options: Parameters<typeof createGuard>[0]['dpop'] = {}) =>
  createGuard({
    tokenIssuer: issuer.url,
    keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
    audience: issuer.audience,
    revocation: false,
    dpop: options,
  });

describe('oauth4webapi DPoP client against the guard', () => {
  it('accepts its proofs, and its retry after use_dpop_nonce', async () => {
    const keyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    const client: oauth.Client = { client_id: 'web' };
    const dpop = oauth.DPoP(client, keyPair);
    const card = issuer.sign({ cnf: { jkt: await dpop.calculateThumbprint() } });
    const request = (base: string) =>
      oauth.protectedResourceRequest(card, 'GET', new URL(`${base}/rooms/101`), undefined, undefined, {
        DPoP: dpop,
        [oauth.allowInsecureRequests]: true,
      });

    const plain = await door(guardFor());
    const ok = await request(plain);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: 'user-1', tokenType: 'DPoP' });

    const withNonce = await door(guardFor({ nonce: true }));
    let answer: Response | undefined;
    try {
      answer = await request(withNonce);
    } catch (error) {
      expect(oauth.isDPoPNonceError(error)).toBe(true);
      answer = await request(withNonce); // the handle kept the DPoP-Nonce
    }
    expect(answer.status).toBe(200);
  });
});
