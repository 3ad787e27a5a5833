// /oauth/authorize needs the web app's sign-in and consent pages: a server that does not serve
// them answers every authorization request with its error page, and says so on `webPages` (what
// discovery reads to advertise the authorization endpoint or not).
import { afterAll, describe, expect, it } from 'vitest';
import type { KeycardConfigInput } from '../src/index.js';
import { type Running, startServer } from './helpers.js';
import { addCodeClient, Browser, requestParams, startAuthorizeServer } from './support/authorize-flow.js';

const running: Running[] = [];
afterAll(async () => {
  for (const r of running) await r.close();
});

describe('when the web app is not served', () => {
  it.each<[string, KeycardConfigInput, string]>([
    ['ui.enabled is off', { ui: { enabled: false } }, ''],
    ['the issuer has a path', { issuer: 'http://127.0.0.1:1/kc' }, '/kc'],
  ])('%s: the page says sign-in is not available here, no redirect', async (_, config, path) => {
    const r = await startServer(config);
    running.push(r);
    expect(r.server.services.webPages).toBe(false);
    await addCodeClient(r, { id: 'spa', scopes: ['openid'] });
    const res = await new Browser().authorize(`${r.url}${path}`, requestParams('spa', { prompt: 'none' }));
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.body).toContain('Sign-in is not available here');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('when it is served', () => {
  it('webPages is true, and the app itself cannot be framed either', async () => {
    const { running: r } = await startAuthorizeServer();
    running.push(r);
    expect(r.server.services.webPages).toBe(true);
    const page = await fetch(`${r.url}/`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const redirect = await new Browser().authorize(r.url, requestParams('nobody'));
    expect(redirect.headers.get('x-frame-options')).toBe('DENY');
  });
});
