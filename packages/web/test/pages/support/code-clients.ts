/// <reference types="node" />
// Code-flow clients for the authorization pages' tests: written into a fresh data dir before the
// hotel first starts (the demo then seeds its doors and guests around them), through the built
// server's own storage in a separate Node process, outside the happy-dom window.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { ROOT } from '../../../../../test/browser/support/hotel.js';

export const APP_REDIRECT = 'https://app.example.com/cb';

export interface CodeClient {
  id: string;
  name: string;
  firstParty: boolean;
  scopes: string[];
  audiences: string[];
}

/** Registers the clients in `dataDir` (created if new) with the built @keycard/server. */
export function seedCodeClients(dataDir: string, clients: CodeClient[]): void {
  const script = `
    const { openDataDir } = await import(process.env.KC_SERVER);
    const { ctx, close } = await openDataDir({ dataDir: process.env.KC_DIR });
    try {
      for (const c of JSON.parse(process.env.KC_CLIENTS)) {
        await ctx.storage.clients.create({
          ...c, type: 'public', secretHash: null, grants: ['authorization_code', 'refresh_token'],
          multiAudience: false, requireDpop: false, tokenExchange: [], redirectUris: [process.env.KC_REDIRECT],
          postLogoutRedirectUris: [], backchannelLogoutUri: null, jwks: null, createdAt: Date.now(),
        });
      }
    } finally {
      await close();
    }`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: {
      ...process.env,
      KC_SERVER: join(ROOT, 'packages/server/dist/index.js'),
      KC_DIR: dataDir,
      KC_CLIENTS: JSON.stringify(clients),
      KC_REDIRECT: APP_REDIRECT,
      KEYCARD_LOG_LEVEL: 'error',
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`seeding failed: ${result.stderr}`);
}

/**
 * What `/oauth/authorize` answers a browser with no front-desk session: the web app's route
 * (`/authorize?i=…`) its Location points at. Plain node:http, so no cookie of the page goes along.
 */
export function authorizeRoute(origin: string, params: Record<string, string>): Promise<string> {
  const url = new URL(`/oauth/authorize?${new URLSearchParams(params)}`, origin);
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/html' } }, (res) => {
      res.resume();
      const location = res.headers.location ?? '';
      const at = location.indexOf('/#/authorize?');
      if (res.statusCode !== 303 || at === -1)
        reject(new Error(`no redirect to the pages: ${res.statusCode} ${location}`));
      else resolve(location.slice(at + 2));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Authorization request parameters for `clientId` (PKCE challenge of a fixed verifier). */
export function codeRequest(clientId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: APP_REDIRECT,
    scope: 'openid profile rooms',
    state: 'page-state',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    ...extra,
  };
}
