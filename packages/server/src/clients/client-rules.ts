import { API_AUDIENCE, type ServerContext, WEB_CLIENT_ID } from '../context.js';
import { ServerError } from '../errors.js';
import { type ClientRecord, TOKEN_EXCHANGE_GRANT, type TokenExchangeRule } from '../storage/index.js';
import { checkFlowFields } from './flow-rules.js';
import { webAppRedirectUri } from './web-client.js';

/**
 * What the client checks read: users and audiences in storage (never the cache, which may be
 * stale), and the issuer (the built-in web app's own redirect URI is `{issuer}/`).
 */
export type ClientRulesDeps = Pick<ServerContext, 'storage' | 'issuer'>;

/** Longest client id. */
export const MAX_CLIENT_ID_LENGTH = 100;
const CLIENT_ID = new RegExp(`^[A-Za-z0-9._:-]{1,${MAX_CLIENT_ID_LENGTH}}$`);
/**
 * The shape of a user id (`randomId()`: 16 random bytes, base64url, 22 characters whose last
 * carries 2 bits). Client ids of this shape are refused so a client can never be registered
 * under an id a user has or will have: subjects cannot be confused.
 */
export const USER_ID_SHAPE = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/**
 * Checks a client id: the allowed characters, not the shape of a user id, and no user or audience
 * with it.
 * Throws ERR_VALIDATION or ERR_CONFLICT.
 */
export async function checkClientId(ctx: ClientRulesDeps, id: string): Promise<void> {
  if (!CLIENT_ID.test(id)) {
    throw new ServerError('ERR_VALIDATION', { message: 'id: 1-100 characters of A-Z a-z 0-9 . _ : -' });
  }
  if (USER_ID_SHAPE.test(id) || (await ctx.storage.users.getById(id)) !== undefined) {
    throw new ServerError('ERR_CONFLICT', {
      message: 'id: a client id may not have the shape of a user id (22 base64url characters)',
    });
  }
  // An ID token's `aud` is its client id, an access token's is an audience id: one namespace, so
  // neither can be taken for the other by a party that compares `aud` alone.
  if ((await ctx.storage.audiences.get(id)) !== undefined) {
    throw new ServerError('ERR_CONFLICT', {
      message: 'id: an audience has this id; clients and audiences share one namespace',
    });
  }
}

/**
 * Checks the grants, audiences, exchange rules, code-flow URIs and credentials of a client about
 * to be stored (created or updated). Throws ERR_VALIDATION or ERR_AUDIENCE_NOT_FOUND naming the
 * bad field.
 */
export async function checkClientRecord(ctx: ClientRulesDeps, client: ClientRecord): Promise<void> {
  const invalid = (message: string) => new ServerError('ERR_VALIDATION', { message });
  if (client.type === 'public' && client.grants.includes('client_credentials'))
    throw invalid('grants: public clients cannot use client_credentials');
  if (client.type === 'public' && client.grants.includes(TOKEN_EXCHANGE_GRANT))
    throw invalid('grants: public clients cannot use token exchange');
  if (client.grants.includes('password') && !client.firstParty)
    throw invalid('grants: only first-party clients may use the password grant');
  // The built-in web app is sent back to where this server serves it, whatever that URL's form.
  checkFlowFields(client, client.id === WEB_CLIENT_ID ? webAppRedirectUri(ctx.issuer) : undefined);
  for (const aud of client.audiences) await assertAudience(ctx, aud);
  if (client.tokenExchange.length > 0 && !client.grants.includes(TOKEN_EXCHANGE_GRANT))
    throw invalid(`tokenExchange: rules need the ${TOKEN_EXCHANGE_GRANT} grant`);
  for (const rule of client.tokenExchange) await checkRule(ctx, rule);
}

/** An exchange rule between two registered audiences, never into or out of the server's own API. */
async function checkRule(ctx: ClientRulesDeps, rule: TokenExchangeRule): Promise<void> {
  if (rule.from === API_AUDIENCE || rule.to === API_AUDIENCE) {
    throw new ServerError('ERR_VALIDATION', {
      message: `tokenExchange: cards for the ${API_AUDIENCE} API cannot be exchanged`,
    });
  }
  if (rule.from === rule.to)
    throw new ServerError('ERR_VALIDATION', { message: 'tokenExchange: from and to must differ' });
  await assertAudience(ctx, rule.from);
  await assertAudience(ctx, rule.to);
}

async function assertAudience(ctx: ClientRulesDeps, aud: string): Promise<void> {
  if ((await ctx.storage.audiences.get(aud)) === undefined) {
    throw new ServerError('ERR_AUDIENCE_NOT_FOUND', { message: `No such audience: ${aud.slice(0, 100)}` });
  }
}

/** Rules as stored: de-duplicated scopes, one rule per (from, to). */
export function normaliseRules(rules: readonly TokenExchangeRule[]): TokenExchangeRule[] {
  const byPair = new Map<string, TokenExchangeRule>();
  for (const r of rules) {
    const key = `${r.from}\n${r.to}`;
    const scopes = new Set([...(byPair.get(key)?.scopes ?? []), ...r.scopes]);
    byPair.set(key, { from: r.from, to: r.to, scopes: [...scopes] });
  }
  return [...byPair.values()];
}
