import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceClient, type GuardError } from '../src/index.js';

/**
 * DESIGN.md: "every outbound fetch is bounded in time". The service client's discovery, token and
 * exchange requests against an issuer that accepts connections and never answers end with
 * ERR_GUARD_CLIENT_TOKEN_FAILED (502, never a hang), and say neither the secret nor the card.
 */
const SECRET = 'service-secret-0123456789abcdefghijklmnop';
const CARD = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJndWVzdCJ9.c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw';

let silent: Server;
let silentUrl: string;

beforeAll(async () => {
  silent = createServer(() => {}); // accepts and never answers
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise<void>((r) => silent.close(() => r()));
});

async function failure(run: () => Promise<unknown>): Promise<GuardError> {
  try {
    await run();
  } catch (error) {
    return error as GuardError;
  }
  throw new Error('resolved');
}

describe('service client against a silent issuer', () => {
  const clients = () => [
    createServiceClient({
      tokenEndpoint: `${silentUrl}/oauth/token`,
      clientId: 'rooms',
      clientSecret: SECRET,
      timeoutMs: 200,
    }),
    createServiceClient({ issuer: silentUrl, clientId: 'rooms', clientSecret: SECRET, timeoutMs: 200 }),
    createServiceClient({
      tokenEndpoint: `${silentUrl}/oauth/token`,
      clientId: 'rooms',
      clientSecret: SECRET,
      timeoutMs: 200,
      dpop: true,
    }),
  ];

  it('getToken, fetch and exchange give up after timeoutMs with ERR_GUARD_CLIENT_TOKEN_FAILED', async () => {
    for (const client of clients()) {
      for (const run of [
        () => client.getToken(),
        () => client.fetch(`${silentUrl}/anything`),
        () => client.exchange(CARD, { audience: 'billing' }),
      ]) {
        const error = await failure(run);
        expect(error.code).toBe('ERR_GUARD_CLIENT_TOKEN_FAILED');
        expect(error.status).toBe(502);
        const said = `${error.message} ${String(error.reason)} ${JSON.stringify(error.toJSON())}`;
        expect(said).not.toContain(SECRET);
        expect(said).not.toContain(CARD);
      }
    }
  }, 20_000);
});
