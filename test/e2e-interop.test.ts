// Interop with other people's code: oauth4webapi gets DPoP-bound cards from the real @keycard/server
// (password and client_credentials grants, a client registered with requireDpop) and presents them at a
// real guarded door through its own protectedResourceRequest; jose verifies the cards.
import { createServer as createHttpServer } from 'node:http';
import { requireDpop } from '@keycard/guard';
import { runGateway } from '@keycard/guard/gateway';
import { authenticate, authorize } from '@keycard/guard/node';
import { createClient, createUser } from '@keycard/server';
import { calculateJwkThumbprint, createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hotel } from './support/hotel.js';
import { listen, openHotel, PASSWORD } from './support/hotel.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
let hotel: Hotel;
let as: oauth.AuthorizationServer;
let secret: string;
/** Doors for audience `rooms`: one without DPoP nonces, one that requires them. */
let plainDoor: string;
let nonceDoor: string;
/** `keycard gateway --dpop-nonce` in front of a plain upstream. */
let nonceGateway: string;

async function door(nonce: boolean): Promise<string> {
  const guard = hotel.guard('rooms', { dpop: { nonce } });
  await guard.ready();
  const auth = authenticate(guard);
  const dpopOnly = authorize(requireDpop());
  return listen(
    hotel,
    createHttpServer(async (req, res) => {
      const ctx = await auth(req, res);
      if (ctx === null || !(await dpopOnly(req, res, ctx))) return;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sub: ctx.sub, tokenType: ctx.tokenType, jkt: ctx.confirmation?.jkt }));
    }),
  );
}

beforeAll(async () => {
  hotel = await openHotel('interop');
  const { ctx, issuer } = hotel;
  await ctx.storage.audiences.upsert({
    id: 'rooms',
    name: 'rooms',
    scopes: ['rooms:read'],
    uri: 'https://rooms.example/',
    createdAt: 0,
  });
  await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: 0 });
  ctx.directory.invalidate();
  await createClient(ctx, {
    id: 'o4w-app',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['rooms'],
    scopes: ['rooms:read'],
    requireDpop: true,
  });
  secret = (
    await createClient(ctx, {
      id: 'o4w-service',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['rooms'],
      scopes: ['rooms:read'],
      requireDpop: true,
    })
  ).secret!;
  await createUser(ctx, { username: 'alice', password: PASSWORD, roles: ['guest'] });
  const url = new URL(issuer);
  as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, insecure));
  plainDoor = await door(false);
  nonceDoor = await door(true);
  const upstream = await listen(
    hotel,
    createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sub: req.headers['x-keycard-sub'] }));
    }),
  );
  const gateway = await runGateway([
    '--upstream',
    upstream,
    '--issuer',
    issuer,
    '--audience',
    'rooms',
    '--port',
    '0',
    '--dpop-nonce',
  ]);
  hotel.onClose(() => gateway.close());
  nonceGateway = gateway.url;
});

afterAll(() => hotel?.close());

/** GET /rooms/101 through oauth4webapi; with nonces on, its one retry after `use_dpop_nonce`. */
async function visit(base: string, card: string, dpop: oauth.DPoPHandle, expectNonce: boolean) {
  const request = () =>
    oauth.protectedResourceRequest(card, 'GET', new URL(`${base}/rooms/101`), undefined, undefined, {
      DPoP: dpop,
      ...insecure,
    });
  let challenged = false;
  let res: Response;
  try {
    res = await request();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    challenged = true;
    res = await request(); // the handle kept the DPoP-Nonce the door sent
  }
  expect(challenged).toBe(expectNonce);
  return res;
}

/** jose verifies the card against the issuer's JWKS (typ at+jwt) and checks `cnf.jkt` against the key. */
async function verifiedWithJose(card: string, keyPair: CryptoKeyPair) {
  const jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
  const { payload, protectedHeader } = await jwtVerify(card, jwks, {
    issuer: as.issuer,
    audience: 'rooms',
    typ: 'at+jwt',
  });
  expect(protectedHeader.typ).toBe('at+jwt');
  const jkt = await calculateJwkThumbprint(await crypto.subtle.exportKey('jwk', keyPair.publicKey), 'sha256');
  expect(payload['cnf']).toEqual({ jkt });
  return { payload, jkt };
}

describe('oauth4webapi DPoP client against the real server and a guarded door', () => {
  it('password grant with an RFC 8707 resource: a DPoP card, accepted at the door with nonces off and on; jose verifies it; refresh keeps the key', async () => {
    const client: oauth.Client = { client_id: 'o4w-app' };
    const keyPair = await oauth.generateKeyPair('ES256');
    const dpop = oauth.DPoP(client, keyPair);
    const grant = () =>
      oauth.genericTokenEndpointRequest(
        as,
        client,
        oauth.None(),
        'password',
        { username: 'alice', password: PASSWORD, resource: 'https://rooms.example/' },
        { DPoP: dpop, ...insecure },
      );
    const tokens = await oauth.processGenericTokenEndpointResponse(as, client, await grant());
    expect(tokens.token_type).toBe('dpop');
    const { payload, jkt } = await verifiedWithJose(tokens.access_token, keyPair);
    expect(payload['aud']).toBe('rooms');

    for (const [base, nonce] of [
      [plainDoor, false],
      [nonceDoor, true],
    ] as const) {
      const res = await visit(base, tokens.access_token, dpop, nonce);
      expect(res.status, base).toBe(200);
      expect(await res.json()).toEqual({ sub: payload.sub, tokenType: 'DPoP', jkt });
    }

    // The session's refresh token is bound to the same key: oauth4webapi's refresh with the handle works,
    // and the new card is bound to the same key again.
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, {
        DPoP: dpop,
        additionalParameters: { resource: 'https://rooms.example/' },
        ...insecure,
      }),
    );
    expect(refreshed.token_type).toBe('dpop');
    const unknown = await oauth
      .processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshed.refresh_token!, {
          DPoP: dpop,
          additionalParameters: { resource: 'https://pool.example/' },
          ...insecure,
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(unknown).toBeInstanceOf(oauth.ResponseBodyError);
    expect((unknown as oauth.ResponseBodyError).error).toBe('invalid_target');
    // A refused refresh does not burn the refresh token.
    const again = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshed.refresh_token!, {
      DPoP: dpop,
      ...insecure,
    });
    expect(again.status).toBe(200);
    await verifiedWithJose(refreshed.access_token, keyPair);
    expect((await visit(plainDoor, refreshed.access_token, dpop, false)).status).toBe(200);

    // The same card with another oauth4webapi key's proofs is refused.
    const stranger = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const refused = await oauth
      .protectedResourceRequest(
        tokens.access_token,
        'GET',
        new URL(`${plainDoor}/rooms/101`),
        undefined,
        undefined,
        { DPoP: stranger, ...insecure },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenges = (refused as oauth.WWWAuthenticateChallengeError).cause;
    expect(challenges.find((c) => c.scheme === 'dpop')?.parameters.error).toBe('invalid_dpop_proof');
    expect((refused as oauth.WWWAuthenticateChallengeError).response.status).toBe(401);
  });

  it('client_credentials grant (confidential, requireDpop): a DPoP client card, accepted at both doors and at keycard gateway --dpop-nonce', async () => {
    const client: oauth.Client = { client_id: 'o4w-service' };
    const keyPair = await oauth.generateKeyPair('ES256');
    const dpop = oauth.DPoP(client, keyPair);
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretPost(secret),
        { audience: 'rooms', scope: 'rooms:read' },
        { DPoP: dpop, ...insecure },
      ),
    );
    expect(tokens.token_type).toBe('dpop');
    const { payload } = await verifiedWithJose(tokens.access_token, keyPair);
    expect(payload.sub).toBe('o4w-service');
    expect(payload['sid']).toBeUndefined();
    expect((await visit(plainDoor, tokens.access_token, dpop, false)).status).toBe(200);
    expect((await visit(nonceDoor, tokens.access_token, dpop, true)).status).toBe(200);
    const viaGateway = await visit(nonceGateway, tokens.access_token, dpop, true);
    expect(viaGateway.status).toBe(200);
    expect(((await viaGateway.json()) as { sub: string }).sub).toBe('o4w-service');
  });

  it('a client registered with requireDpop gets no card without a proof', async () => {
    const client: oauth.Client = { client_id: 'o4w-service' };
    const res = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(secret),
      { audience: 'rooms' },
      insecure,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_dpop_proof');
  });
});
