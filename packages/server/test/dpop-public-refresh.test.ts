import { calculateThumbprint, createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type Body, postForm, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const claimsOf = (token: string): Body =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

/**
 * DESIGN.md: "refresh tokens of public clients are bound the same way" (RFC 9449 §5). A public
 * client that does not require DPoP but signs in with a proof gets a refresh token bound to that
 * key: without a proof, or with another key's, the refresh is refused and the token stays usable.
 */
describe('a public client that signs in at /oauth/token with a DPoP proof', () => {
  let r: Running;
  let key: PrivateKey;
  let other: PrivateKey;
  const proof = (k: PrivateKey) => createDpopProof(k, { method: 'POST', url: `${r.url}/oauth/token` });
  const refresh = (refreshToken: string, dpop?: string) =>
    postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'refresh_token', client_id: 'keycard-cli', refresh_token: refreshToken },
      dpop === undefined ? {} : { dpop },
    );

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    key = await generateKeyPair('ES256');
    other = await generateKeyPair('ES256');
    await addUser(r, 'alice', PASSWORD);
  });
  afterAll(() => r.close());

  it('gets a refresh token that only a proof of the same key can use', async () => {
    const signIn = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', client_id: 'keycard-cli', username: 'alice', password: PASSWORD },
      { dpop: await proof(key) },
    );
    expect(signIn.status).toBe(200);
    expect(signIn.body.token_type).toBe('DPoP');
    const jkt = calculateThumbprint(key.publicKey.toJWK());
    expect(claimsOf(signIn.body.access_token).cnf).toEqual({ jkt });
    const rt = signIn.body.refresh_token as string;

    for (const dpop of [undefined, await proof(other)]) {
      const refused = await refresh(rt, dpop);
      expect(refused.status, dpop === undefined ? 'no proof' : 'other key').toBe(400);
      expect(refused.body.error).toBe('invalid_dpop_proof');
    }
    const ok = await refresh(rt, await proof(key));
    expect(ok.status).toBe(200); // the refused attempts did not consume it
    expect(ok.body.token_type).toBe('DPoP');
    expect(claimsOf(ok.body.access_token).cnf).toEqual({ jkt });
    // The successor is bound too.
    expect((await refresh(ok.body.refresh_token)).body.error).toBe('invalid_dpop_proof');
  });

  it('without a proof the same client keeps plain Bearer cards (the README walk-through)', async () => {
    const signIn = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      client_id: 'keycard-cli',
      username: 'alice',
      password: PASSWORD,
    });
    expect(signIn.body.token_type).toBe('Bearer');
    const ok = await refresh(signIn.body.refresh_token);
    expect(ok.status).toBe(200);
    expect(claimsOf(ok.body.access_token).cnf).toBeUndefined();
  });
});
