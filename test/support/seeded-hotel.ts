// A small hotel on a real keycard server for cross-package tests: the `rooms` door, a first-party
// public app that signs guests in for it, and helpers to sign in and out over HTTP.
import type { ServerContext } from '@keycard/server';
import { createClient, createUser } from '@keycard/server';

export const PASSWORD = 'correct horse battery staple';

/** Adds the `rooms` audience, the `hotel-app` client and a `guest` role; then the named users. */
export async function seedHotel(ctx: ServerContext, users: string[], managers: string[] = []): Promise<void> {
  const now = Date.now();
  await ctx.storage.audiences.upsert({
    id: 'rooms',
    name: 'rooms',
    scopes: ['rooms:read'],
    uri: null,
    createdAt: now,
  });
  await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: now });
  await createClient(ctx, {
    id: 'hotel-app',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['rooms'],
    scopes: ['rooms:read'],
  });
  for (const username of users) await createUser(ctx, { username, password: PASSWORD, roles: ['guest'] });
  for (const username of managers)
    await createUser(ctx, { username, password: PASSWORD, roles: ['manager'] });
}

export interface SignedIn {
  token: string;
  refreshToken: string;
  sessionId: string;
}

/** Signs in at `/api/login` for the `rooms` door (or, with `api`, for the server's own API). */
export async function signIn(issuer: string, username: string, api = false): Promise<SignedIn> {
  const body = api
    ? { username, password: PASSWORD, client_id: 'keycard-cli' } // Bearer cards (keycard-web needs DPoP)
    : { username, password: PASSWORD, client_id: 'hotel-app', audience: 'rooms' };
  const res = await fetch(`${issuer}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  const json = (await res.json()) as { access_token: string; refresh_token: string; session_id: string };
  return { token: json.access_token, refreshToken: json.refresh_token, sessionId: json.session_id };
}

/** Signs out at `/api/logout` with the refresh token. */
export async function signOut(issuer: string, who: SignedIn, clientId = 'hotel-app'): Promise<void> {
  const res = await fetch(`${issuer}/api/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: who.refreshToken, client_id: clientId }),
  });
  if (res.status !== 204) throw new Error(`logout answered ${res.status}`);
}

export const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
