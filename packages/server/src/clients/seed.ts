import { API_AUDIENCE, API_SCOPES, SCRIPT_CLIENT_ID, type ServerContext, WEB_CLIENT_ID } from '../context.js';
import type { ClientGrant } from '../storage/index.js';
import { WEB_CLIENT_GRANTS, webAppRedirectUri } from './web-client.js';

/** What {@link seedDefaults} reads. */
export type SeedDefaultsDeps = Pick<ServerContext, 'storage' | 'clock' | 'issuer'>;

/**
 * First start: registers the server's own API audience, the `manager` (scope `admin`) and
 * `guest` roles, and two first-party public clients for that API: `keycard-web` (the web app:
 * the authorization-code flow back to `{issuer}/`, and the password grant of `/api/login`;
 * requires DPoP) and `keycard-cli` (scripts and curl; Bearer cards). Existing records are kept.
 *
 * @example
 * ```ts
 * await seedDefaults(ctx);
 * ```
 */
export async function seedDefaults(ctx: SeedDefaultsDeps): Promise<void> {
  const now = ctx.clock();
  // The API audience's scopes are the server's own: a database seeded before a scope existed
  // (`revocations:read`) gets it added, or cards for the API could never carry it.
  const api = await ctx.storage.audiences.get(API_AUDIENCE);
  const missing = API_SCOPES.filter((s) => !(api?.scopes ?? []).includes(s));
  if (api === undefined || missing.length > 0) {
    await ctx.storage.audiences.upsert({
      id: API_AUDIENCE,
      name: api?.name ?? 'keycard account API',
      scopes: [...(api?.scopes ?? []), ...missing],
      uri: api?.uri ?? null,
      createdAt: api?.createdAt ?? now,
    });
  }
  if ((await ctx.storage.roles.get('manager')) === undefined) {
    await ctx.storage.roles.upsert({ name: 'manager', scopes: ['admin'], createdAt: now });
  }
  if ((await ctx.storage.roles.get('guest')) === undefined) {
    await ctx.storage.roles.upsert({ name: 'guest', scopes: [], createdAt: now });
  }
  await seedClient(ctx, {
    id: WEB_CLIENT_ID,
    name: 'keycard web app',
    // The browser app proves a non-extractable key on every token request: its cards and its
    // session's refresh tokens are bound to it (RFC 9449).
    requireDpop: true,
    // It signs in at the front desk's own pages (code flow); `/api/login` stays for native apps.
    grants: [...WEB_CLIENT_GRANTS],
    redirectUris: [webAppRedirectUri(ctx.issuer)],
    now,
  });
  await seedClient(ctx, {
    id: SCRIPT_CLIENT_ID,
    name: 'keycard scripts and curl (Bearer cards)',
    requireDpop: false,
    grants: ['password', 'refresh_token'],
    redirectUris: [],
    now,
  });
}

/** Creates a first-party public client for the keycard API unless it exists. */
async function seedClient(
  ctx: Pick<ServerContext, 'storage'>,
  input: {
    id: string;
    name: string;
    requireDpop: boolean;
    grants: ClientGrant[];
    redirectUris: string[];
    now: number;
  },
): Promise<void> {
  if ((await ctx.storage.clients.get(input.id)) !== undefined) return;
  try {
    await ctx.storage.clients.create({
      id: input.id,
      name: input.name,
      type: 'public',
      secretHash: null,
      firstParty: true,
      grants: input.grants,
      audiences: [API_AUDIENCE],
      scopes: ['admin'],
      multiAudience: false,
      requireDpop: input.requireDpop,
      tokenExchange: [],
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      createdAt: input.now,
    });
  } catch (error) {
    // Another instance seeded it first.
    if ((await ctx.storage.clients.get(input.id)) === undefined) throw error;
  }
}
