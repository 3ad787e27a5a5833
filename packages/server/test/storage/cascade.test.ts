import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, deleteClient, deleteUser } from '../../src/index.js';
import { addUser, type Running, startServer } from '../helpers.js';

/**
 * Deleting a user or a client through the server takes their code-flow records (codes, consents,
 * browser sessions) with them, and a user's second factors and mailed links.
 */
describe('code-flow records follow their user and client', () => {
  let r: Running;
  const request = { ip: null, userAgent: null };
  const consent = (userId: string, clientId: string) => ({
    userId,
    clientId,
    scopes: ['openid'],
    audiences: [],
    createdAt: 1,
    updatedAt: 1,
  });

  // An unused code, as /oauth/authorize will store it (the hash stands in for a real one).
  const code = (codeHash: string, userId: string, clientId: string) => ({
    codeHash,
    clientId,
    redirectUri: 'https://app.example/callback',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    userId,
    sid: 'bs1',
    scopes: ['openid'],
    audiences: [],
    nonce: null,
    authTime: 1,
    amr: ['pwd'],
    dpopJkt: null,
    createdAt: 1,
    expiresAt: Date.now() + 600_000,
  });

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
  });
  afterAll(() => r.close());

  it('deleting a user deletes their consents and ends their browser sessions', async () => {
    const { storage } = r.server.services;
    const alice = await addUser(r, 'alice', 'correct horse battery');
    const bob = await addUser(r, 'bob', 'correct horse battery');
    await storage.consents.put(consent(alice.id, 'app'));
    await storage.consents.put(consent(bob.id, 'app'));
    const now = r.server.services.clock();
    await storage.browserSessions.create({
      id: 'b-alice',
      userId: alice.id,
      authTime: now,
      amr: ['pwd'],
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 3_600_000,
      endedAt: null,
      endedReason: null,
    });
    await storage.authorizationCodes.create(code('alice-code', alice.id, 'app'));
    await storage.authorizationCodes.create(code('bob-code', bob.id, 'app'));
    await deleteUser(r.server.services, alice.id, { actor: 'admin', request });
    expect(await storage.authorizationCodes.get('alice-code')).toBeUndefined();
    expect(await storage.authorizationCodes.get('bob-code')).toBeDefined();
    expect(await storage.consents.listByUser(alice.id)).toEqual([]);
    expect(await storage.consents.listByUser(bob.id)).toHaveLength(1);
    expect(await storage.browserSessions.get('b-alice')).toMatchObject({ endedReason: 'user_deleted' });
  });

  it('deleting a user deletes their second factors and mailed links', async () => {
    const { storage } = r.server.services;
    const carol = await addUser(r, 'carol', 'correct horse battery');
    const dave = await addUser(r, 'dave', 'correct horse battery');
    for (const u of [carol, dave]) {
      await storage.totp.put({
        userId: u.id,
        secretSealed: 's',
        createdAt: 1,
        confirmedAt: 1,
        lastUsedStep: null,
      });
      await storage.recoveryCodes.replace(u.id, [`code-${u.id}`], 1);
      await storage.passkeys.create({
        id: `pk-${u.id}`,
        userId: u.id,
        credentialId: `cred-${u.id}`,
        publicKey: 'pk',
        counter: 0,
        transports: [],
        name: 'Laptop',
        aaguid: '00000000-0000-0000-0000-000000000000',
        backedUp: false,
        deviceType: 'singleDevice',
        createdAt: 1,
        lastUsedAt: null,
      });
      await storage.emailTokens.create({
        hash: `mail-${u.id}`,
        kind: 'password_reset',
        userId: u.id,
        email: `${u.id}@example.com`,
        createdAt: 1,
        expiresAt: Date.now() + 600_000,
        consumedAt: null,
      });
    }
    await deleteUser(r.server.services, carol.id, { actor: 'admin', request });
    expect(await storage.totp.get(carol.id)).toBeUndefined();
    expect(await storage.recoveryCodes.countUnused(carol.id)).toBe(0);
    expect(await storage.passkeys.getByCredentialId(`cred-${carol.id}`)).toBeUndefined();
    expect(
      await storage.emailTokens.consume(`mail-${carol.id}`, 'password_reset', Date.now()),
    ).toBeUndefined();
    expect(await storage.totp.get(dave.id)).toBeDefined();
    expect(await storage.recoveryCodes.countUnused(dave.id)).toBe(1);
    expect(await storage.passkeys.listByUser(dave.id)).toHaveLength(1);
    expect(await storage.emailTokens.consume(`mail-${dave.id}`, 'password_reset', Date.now())).toBeDefined();
  });

  it('deleting a client deletes the consents given to it', async () => {
    const { storage } = r.server.services;
    await createClient(r.server.services, { id: 'third-party', type: 'public', grants: ['refresh_token'] });
    await storage.consents.put(consent('u1', 'third-party'));
    await storage.consents.put(consent('u1', 'other'));
    await storage.authorizationCodes.create(code('third-party-code', 'u1', 'third-party'));
    await storage.authorizationCodes.create(code('other-code', 'u1', 'other'));
    await deleteClient(r.server.services, 'third-party', { actor: 'admin', request });
    expect(await storage.authorizationCodes.get('third-party-code')).toBeUndefined();
    expect(await storage.authorizationCodes.get('other-code')).toBeDefined();
    expect((await storage.consents.listByUser('u1')).map((c) => c.clientId)).toEqual(['other']);
  });
});
