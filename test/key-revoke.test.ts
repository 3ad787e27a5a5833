// Issue 9, item 3: a stolen signing key is withdrawn: `POST /api/admin/keys/:kid/revoke` (and
// `keycard keys revoke KID`) takes it out of the JWKS, a `key` event makes every guard refuse the
// cards it signed (even from a stale copy of the keys), and a fresh key takes over for sign-in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Guard } from '@keycard/guard';
import { createGuard, createServiceClient } from '@keycard/guard';
import type { KeycardServer } from '@keycard/server';
import { createClient, createServer } from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IO } from '../packages/cli/src/framework/io.js';
import { main } from '../packages/cli/src/main.js';
import { eventually } from '../packages/guard/test/support/test-issuer.js';
import { bearer, seedHotel, signIn } from './support/seeded-hotel.js';

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('key compromise: revoke a signing key', () => {
  let dir: string;
  let server: KeycardServer;
  let issuer: string;
  const guards: Guard[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-key-revoke-'));
    // The feed requires a card here: the guards read it with their service client's card.
    server = await createServer(
      { logLevel: 'silent', dataDir: dir, port: 0, revocations: { pingInterval: 1, requireAuth: true } },
      { unsafeFastPasswordHashingForTests: true, jobs: false },
    );
    issuer = await server.listen();
    await seedHotel(server.services, ['alice'], ['boss']);
  });
  afterAll(async () => {
    for (const g of guards) await g.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the key leaves the JWKS, its cards are refused at the guards, a new sign-in works', async () => {
    const { secret } = await createClient(server.services, {
      id: 'rooms-door',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['keycard'],
      scopes: ['revocations:read'],
    });
    const door = createServiceClient({
      issuer,
      clientId: 'rooms-door',
      clientSecret: secret!,
      scope: 'revocations:read',
    });
    const feed = { authorization: () => door.getToken(), minReconnectDelayMs: 20, maxReconnectDelayMs: 200 };
    const guard = createGuard({ issuer, audience: 'rooms', jwks: { cooldownSeconds: 1 }, revocation: feed });
    guards.push(guard);
    await guard.ready();
    // A guard holding a copy of today's keys that never refreshes them (static keys).
    const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const stale = createGuard({
      issuer,
      keys: jwks,
      audience: 'rooms',
      revocation: { ...feed, streamUri: `${issuer}/revocations/stream`, pollUri: `${issuer}/revocations` },
    });
    guards.push(stale);
    await stale.ready();

    const alice = await signIn(issuer, 'alice');
    const stolen = kidOf(alice.token);
    expect((await guard.verifyRequest(bearer(alice.token))).ok).toBe(true);
    expect((await stale.verifyRequest(bearer(alice.token))).ok).toBe(true);

    const boss = await signIn(issuer, 'boss', true);
    const res = await fetch(`${issuer}/api/admin/keys/${stolen}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${boss.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { revoked: string; current: string; next: string };
    expect(result.revoked).toBe(stolen);
    expect(result.current).not.toBe(stolen);

    // Out of the JWKS at once.
    const after = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(after.keys.map((k) => k.kid)).not.toContain(stolen);
    expect(after.keys.map((k) => k.kid)).toContain(result.current);

    // Refused at both guards, the stale one included.
    for (const g of [guard, stale]) {
      await eventually(async () => {
        const r = await g.verifyRequest(bearer(alice.token));
        return !r.ok && r.error.code === 'ERR_GUARD_TOKEN_REVOKED';
      });
    }
    expect(guard.metrics().revokedKeys).toBe(1);

    // Sign-in keeps working with the key that took over, and its card opens the door.
    const again = await signIn(issuer, 'alice');
    expect(kidOf(again.token)).toBe(result.current);
    expect((await guard.verifyRequest(bearer(again.token))).ok).toBe(true);

    // Audited.
    const audit = await fetch(`${issuer}/api/admin/audit?type=admin.key.revoke`, {
      headers: { authorization: `Bearer ${(await signIn(issuer, 'boss', true)).token}` },
    });
    const events = ((await audit.json()) as { events: { subject: string }[] }).events;
    expect(events.map((e) => e.subject)).toEqual([stolen]);
  });

  it('`keycard keys revoke KID` withdraws the key from a data dir and publishes the key event', async () => {
    const cliDir = mkdtempSync(join(tmpdir(), 'keycard-key-revoke-cli-'));
    const out = { stdout: '', stderr: '' };
    const io: IO = {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      stdin: Readable.from([]) as IO['stdin'],
      env: {},
      cwd: process.cwd(),
      now: Date.now,
    };
    try {
      expect(await main(['keys', 'list', '--data-dir', cliDir, '--json'], io)).toBe(0);
      const keys = JSON.parse(out.stdout) as { kid: string; state: string }[];
      const current = keys.find((k) => k.state === 'current')!.kid;
      out.stdout = '';
      // A kid is a base64url thumbprint and may begin with '-': `--` ends the options before it.
      expect(await main(['keys', 'revoke', '--data-dir', cliDir, '--', current], io)).toBe(0);
      expect(out.stdout).toContain(`revoked ${current}`);
      expect(await main(['keys', 'revoke', 'no-such-kid', '--data-dir', cliDir], io)).toBe(1);
      expect(await main(['keys', 'revoke', '--data-dir', cliDir], io)).toBe(2);

      const local = await createServer(
        { logLevel: 'silent', dataDir: cliDir, port: 0 },
        { unsafeFastPasswordHashingForTests: true, jobs: false },
      );
      try {
        const url = await local.listen();
        const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as {
          keys: { kid: string }[];
        };
        expect(jwks.keys.map((k) => k.kid)).not.toContain(current);
        const feed = (await (await fetch(`${url}/revocations`)).json()) as { events: unknown[] };
        expect(feed.events).toEqual([expect.objectContaining({ type: 'key', kid: current })]);
      } finally {
        await local.close();
      }
    } finally {
      rmSync(cliDir, { recursive: true, force: true });
    }
  });
});
