import { API_AUDIENCE, type ServerContext, WEB_CLIENT_ID } from '../context.js';

/**
 * First start: registers the server's own API audience, the `manager` (scope `admin`) and
 * `guest` roles, and the first-party public client `keycard-web`. Existing records are kept.
 *
 * @example
 * ```ts
 * await seedDefaults(ctx);
 * ```
 */
export async function seedDefaults(ctx: ServerContext): Promise<void> {
  const now = ctx.clock();
  if ((await ctx.storage.audiences.get(API_AUDIENCE)) === undefined) {
    await ctx.storage.audiences.upsert({
      id: API_AUDIENCE,
      name: 'keycard account API',
      scopes: ['admin'],
      uri: null,
      createdAt: now,
    });
  }
  if ((await ctx.storage.roles.get('manager')) === undefined) {
    await ctx.storage.roles.upsert({ name: 'manager', scopes: ['admin'], createdAt: now });
  }
  if ((await ctx.storage.roles.get('guest')) === undefined) {
    await ctx.storage.roles.upsert({ name: 'guest', scopes: [], createdAt: now });
  }
  if ((await ctx.storage.clients.get(WEB_CLIENT_ID)) === undefined) {
    try {
      await ctx.storage.clients.create({
        id: WEB_CLIENT_ID,
        name: 'keycard web app',
        type: 'public',
        secretHash: null,
        firstParty: true,
        grants: ['password', 'refresh_token'],
        audiences: [API_AUDIENCE],
        scopes: ['admin'],
        multiAudience: false,
        requireDpop: false,
        tokenExchange: [],
        createdAt: now,
      });
    } catch (error) {
      // Another instance seeded it first.
      if ((await ctx.storage.clients.get(WEB_CLIENT_ID)) === undefined) throw error;
    }
  }
}
