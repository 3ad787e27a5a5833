// The built-in web app (`keycard-web`) as a client of the code flow: seeded with the
// authorization_code grant (the password grant stays for /api/login) and the redirect URI
// `{issuer}/`, which follows the issuer at every start; its own URI is accepted whatever its form
// (http://localhost) while the registration rules stay as they are for every other client; and no
// other port stands in for it at /oauth/authorize.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, SCRIPT_CLIENT_ID, updateClient, WEB_CLIENT_ID } from '../src/index.js';
import { type Running, startServer, tempDir } from './helpers.js';
import { Browser, fakeWebApp, pkce } from './support/authorize-flow.js';

describe('the built-in web client', () => {
  let r: Running | undefined;
  const dirs: { remove(): void }[] = [];
  afterEach(async () => {
    await r?.close();
    r = undefined;
    for (const d of dirs.splice(0)) d.remove();
  });

  const web = (running: Running) => running.server.services.storage.clients.get(WEB_CLIENT_ID);
  const start = (dir: string, issuer?: string) =>
    startServer(issuer === undefined ? {} : { issuer }, { dir, webClientDpop: 'as-seeded' });

  it('is seeded for the code flow back to the issuer, first party, DPoP required; keycard-cli is not', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    r = await start(tmp.dir, 'http://localhost:4999');
    expect(await web(r)).toMatchObject({
      type: 'public',
      firstParty: true,
      requireDpop: true,
      grants: ['password', 'refresh_token', 'authorization_code'],
      redirectUris: ['http://localhost:4999/'],
      postLogoutRedirectUris: [],
    });
    expect(await r.server.services.storage.clients.get(SCRIPT_CLIENT_ID)).toMatchObject({
      grants: ['password', 'refresh_token'],
      redirectUris: [],
    });
  });

  it('its redirect URI follows the issuer at each start: configured, or the bound socket', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    r = await start(tmp.dir, 'https://desk.example');
    expect((await web(r))?.redirectUris).toEqual(['https://desk.example/']);
    await r.close();
    r = await start(tmp.dir, 'https://front-desk.example');
    expect((await web(r))?.redirectUris).toEqual(['https://front-desk.example/']);
    await r.close();
    // No issuer configured: the URL of the socket, known once it is bound.
    r = await start(tmp.dir);
    expect((await web(r))?.redirectUris).toEqual([`${r.url}/`]);
    expect(r.server.services.issuer).toBe(r.url);
  });

  it('a database seeded before gets the grant and the URI; one where an admin deleted the client keeps it deleted', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    r = await start(tmp.dir, 'https://desk.example');
    const storage = r.server.services.storage;
    const before = await web(r);
    if (before === undefined) throw new Error('not seeded');
    await storage.clients.update({ ...before, grants: ['password', 'refresh_token'], redirectUris: [] });
    await r.close();
    r = await start(tmp.dir, 'https://desk.example');
    expect(await web(r)).toMatchObject({
      grants: ['password', 'refresh_token', 'authorization_code'],
      redirectUris: ['https://desk.example/'],
    });
    // Another URI an admin added is dropped: a first-party client's every URI must be the server's own.
    await r.server.services.storage.clients.update({
      ...(await web(r))!,
      redirectUris: ['https://desk.example/', 'https://elsewhere.example/cb'],
    });
    await r.close();
    r = await start(tmp.dir, 'https://desk.example');
    expect((await web(r))?.redirectUris).toEqual(['https://desk.example/']);
    await r.server.services.storage.clients.delete(WEB_CLIENT_ID);
    await r.close();
    r = await start(tmp.dir, 'https://desk.example');
    expect(await web(r)).toBeUndefined();
  });

  it('its own http://localhost URI passes the rules for it alone', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    r = await start(tmp.dir, 'http://localhost:4999');
    const ctx = r.server.services;
    // An admin may change the built-in client (here its name) with its URI as it is.
    await expect(updateClient(ctx, WEB_CLIENT_ID, { name: 'Front desk' })).resolves.toMatchObject({
      name: 'Front desk',
      redirectUris: ['http://localhost:4999/'],
    });
    // Only its own URI is exempt: another localhost one is refused, for it as for any client.
    await expect(
      updateClient(ctx, WEB_CLIENT_ID, {
        redirectUris: ['http://localhost:4999/', 'http://localhost:5000/'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION', message: expect.stringContaining('redirectUris[1]') });
    await expect(
      createClient(ctx, {
        id: 'look-alike',
        type: 'public',
        grants: ['authorization_code'],
        redirectUris: ['http://localhost:4999/'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION', message: expect.stringContaining('localhost') });
  });

  it('at /oauth/authorize only its exact URI is taken: no other loopback port stands in for it', async () => {
    const app = fakeWebApp();
    dirs.push(app);
    const tmp = tempDir();
    dirs.push(tmp);
    r = await startServer({ ui: { staticDir: app.dir } }, { dir: tmp.dir, webClientDpop: 'as-seeded' });
    const port = Number(new URL(r.url).port);
    const ask = (redirectUri: string) =>
      new Browser().authorize(r!.url, {
        response_type: 'code',
        client_id: WEB_CLIENT_ID,
        redirect_uri: redirectUri,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      });
    const own = await ask(`${r.url}/`);
    expect(own.status).toBe(303);
    expect(own.location?.startsWith(`${r.url}/#/authorize?i=`)).toBe(true);
    for (const other of [`http://127.0.0.1:${port + 1}/`, `${r.url}/cb`, `http://localhost:${port}/`]) {
      const res = await ask(other);
      expect(res.status, other).toBe(400);
      expect(res.location, other).toBeNull();
    }
  });
});
