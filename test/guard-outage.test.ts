// Issue 9, item 5: guards while the server is away. The real server is stopped and started again on
// the same port and data dir; `keycard gateway` starts while it is away, answers 503, accepts cards
// within seconds of its return, and refuses them again once the feed has been silent past
// `--max-staleness-seconds` (the bounded default policy), reporting it in its health check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningGateway, runGateway } from '@keycard/guard/gateway';
import type { KeycardServer } from '@keycard/server';
import { createServer } from '@keycard/server';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../packages/guard/test/support/test-issuer.js';
import { bearer, seedHotel, signIn } from './support/seeded-hotel.js';

const masterKey = Buffer.alloc(32, 5).toString('base64url');

describe('guards while the server is away', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keycard-outage-'));
  let server: KeycardServer | undefined;
  let gateway: RunningGateway | undefined;
  afterAll(async () => {
    await gateway?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const startIssuer = async (port: number) => {
    server = await createServer(
      { logLevel: 'silent', dataDir: dir, masterKey, port, revocations: { pingInterval: 1 } },
      { unsafeFastPasswordHashingForTests: true, jobs: false },
    );
    return server.listen({ port });
  };
  const stopIssuer = async () => {
    await server?.close();
    server = undefined;
  };

  it('the gateway starts without the issuer, recovers within seconds, and refuses once the feed is stale', async () => {
    const issuer = await startIssuer(0);
    const port = Number(new URL(issuer).port);
    await seedHotel(server!.services, ['alice']);
    const alice = await signIn(issuer, 'alice');
    await stopIssuer();

    const log: string[] = [];
    gateway = await runGateway(
      [
        '--forward-auth',
        '--health-path',
        '/healthz',
        '--issuer',
        issuer,
        '--audience',
        'rooms',
        '--max-staleness-seconds',
        '1',
        '--port',
        '0',
      ],
      (line) => log.push(line),
    );
    expect(gateway.ready).toBe(false);
    expect(log.join('\n')).toContain('issuer not reachable yet');
    const check = () => fetch(`${gateway!.url}/auth`, bearer(alice.token));
    const health = async () => {
      const res = await fetch(`${gateway!.url}/healthz`);
      return { status: res.status, body: (await res.json()) as { ok: boolean; feedStale: boolean } };
    };
    expect((await check()).status).toBe(503);
    expect((await health()).status).toBe(503);

    // The issuer comes back on the same address: cards are accepted within seconds (not after a
    // 30 s JWKS cooldown).
    await startIssuer(port);
    await eventually(async () => (await check()).status === 200, 15_000);
    expect((await health()).body).toMatchObject({ ok: true, feedStale: false });

    // Away again: once the feed has been silent for --max-staleness-seconds, 503 and a health check that says so.
    await stopIssuer();
    await eventually(async () => (await check()).status === 503, 15_000);
    const stale = await health();
    expect(stale.status).toBe(503);
    expect(stale.body).toMatchObject({ ok: false, feedStale: true });
    expect(gateway.guard.metrics().feedStale).toBe(true);

    await startIssuer(port);
    await eventually(async () => (await check()).status === 200, 15_000);
  });
});
