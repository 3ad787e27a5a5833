import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuardError } from '../src/index.js';
import { createGuard } from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

let issuer: TestIssuer;
let silent: Server;
let silentUrl: string;
let closedUrl: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  silent = createServer(() => {}); // accepts and never answers
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((r) => closed.close(() => r()));
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise<void>((r) => silent.close(() => r()));
  await issuer.close();
});

async function readyError(options: Parameters<typeof createGuard>[0]): Promise<GuardError> {
  const guard = createGuard({ revocation: false, ...options });
  try {
    await guard.ready();
    throw new Error('ready() resolved');
  } catch (error) {
    return error as GuardError;
  } finally {
    await guard.close();
  }
}

describe('messages a person can act on (issue 9 item 12)', () => {
  it('an unreachable issuer: ready() names the discovery URL and ECONNREFUSED', async () => {
    const error = await readyError({ issuer: closedUrl, audience: 'rooms' });
    expect(error.code).toBe('ERR_GUARD_DISCOVERY_FAILED');
    expect(error.message).toContain(`${closedUrl}/.well-known/openid-configuration`);
    expect(error.message).toContain('ECONNREFUSED');
    // the public answer stays generic
    expect(error.toJSON().error.message).toBe('The issuer metadata could not be loaded.');
  });

  it('an unreachable JWKS names its URL and the cause', async () => {
    const error = await readyError({
      jwksUri: `${closedUrl}/jwks.json`,
      tokenIssuer: 'http://issuer.test',
      audience: 'rooms',
    });
    expect(error.code).toBe('ERR_GUARD_JWKS_FETCH_FAILED');
    expect(error.message).toContain(`${closedUrl}/jwks.json`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.reason).toContain('ECONNREFUSED');
  });

  it('a status or a timeout is named with the URL', async () => {
    const notFound = await readyError({
      issuer: issuer.url,
      discoveryUri: `${issuer.url}/nowhere`,
      audience: 'rooms',
    });
    expect(notFound.message).toContain(`${issuer.url}/nowhere answered 404`);
    const slow = await readyError({ issuer: silentUrl, audience: 'rooms', fetchTimeoutMs: 200 });
    expect(slow.message).toContain(
      `no answer from ${silentUrl}/.well-known/openid-configuration within 200 ms`,
    );
    const jwksSlow = await readyError({
      jwksUri: `${silentUrl}/jwks`,
      tokenIssuer: 'http://issuer.test',
      audience: 'rooms',
      jwks: { timeoutMs: 200 },
    });
    expect(jwksSlow.message).toContain(`no answer from ${silentUrl}/jwks within 200 ms`);
  });

  it('a metadata document for another issuer says which', async () => {
    const error = await readyError({
      issuer: 'http://127.0.0.1:1/other',
      discoveryUri: `${issuer.url}/.well-known/openid-configuration`,
      audience: 'rooms',
    });
    expect(error.message).toContain(`names the issuer "${issuer.url}", not "http://127.0.0.1:1/other"`);
  });
});
