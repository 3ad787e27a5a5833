// Client keys and private_key_jwt assertions made with `jose` (an independent JOSE implementation),
// and clients registered straight in storage with their JWKS.
import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { ClientRecord, Storage } from '../../src/index.js';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A client's key pair: `jwk` is the public half as it is registered (with kid, and alg unless told not to). */
export interface ClientKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function clientKey(
  alg: string,
  kid: string,
  opts: { withAlg?: boolean } = {},
): Promise<ClientKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const { kty, crv, x, y, n, e } = await exportJWK(publicKey);
  const jwk: JWK = { kty, kid, use: 'sig', ...(opts.withAlg === false ? {} : { alg }) };
  Object.assign(
    jwk,
    Object.fromEntries(Object.entries({ crv, x, y, n, e }).filter(([, v]) => v !== undefined)),
  );
  return { alg, kid, privateKey, jwk };
}

/** Registers a client record in storage, as the admin API would store it. */
export async function addClient(
  storage: Storage,
  id: string,
  fields: Partial<ClientRecord> & { keys?: ClientKey[] },
): Promise<void> {
  const { keys, ...rest } = fields;
  await storage.clients.create({
    id,
    name: id,
    type: 'confidential',
    secretHash: null,
    firstParty: false,
    grants: ['client_credentials'],
    audiences: ['rooms'],
    scopes: ['rooms:read'],
    multiAudience: false,
    requireDpop: false,
    tokenExchange: [],
    redirectUris: [],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    jwks: keys === undefined ? null : { keys: keys.map((k) => ({ ...k.jwk })) },
    createdAt: 0,
    ...rest,
  });
}

export interface AssertionOptions {
  /** Claims to set or (with undefined) leave out; defaults: iss = sub = client, aud, iat, exp now + 60, a fresh jti. */
  claims?: Record<string, unknown>;
  /** Header members beyond alg and kid (undefined leaves one out). */
  header?: Record<string, unknown>;
  /** Signing algorithm when not the key's own. */
  alg?: string;
}

/** A `private_key_jwt` assertion for `clientId`, signed with `key` at the time `nowMs`. */
export async function signAssertion(
  key: ClientKey,
  clientId: string,
  aud: string | string[],
  nowMs: number,
  opts: AssertionOptions = {},
): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  const claims = withoutUndefined({
    iss: clientId,
    sub: clientId,
    aud,
    iat: now,
    exp: now + 60,
    jti: randomUUID(),
    ...opts.claims,
  });
  const header = withoutUndefined({ alg: opts.alg ?? key.alg, kid: key.kid, ...opts.header });
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

/** Base64url of a JSON value (to build unsigned or malformed tokens by hand). */
export const segment = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
