// A CLI command that ends browser sessions tells the apps (OpenID Connect Back-Channel Logout)
// before it exits: closing the data dir waits for the deliveries under way.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataDir } from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

describe('keycard users disable and back-channel logout', () => {
  let dir: string;
  let receiver: Server;
  let url: string;
  const received: string[] = [];
  const at = (...argv: string[]) => [...argv, '--data-dir', join(dir, 'data')];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-cli-bcl-'));
    // The app's back-channel logout endpoint answers only after a while: the token is still on its
    // way when the command has done its work and closes the data dir.
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push(body);
        setTimeout(() => res.writeHead(200).end(), 150);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel-logout`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the logout token to the app before the command exits', async () => {
    expect((await run(at('audiences', 'add', 'rooms', '--scope', 'rooms:read'))).code).toBe(0);
    const added = await run(
      at(
        'clients',
        'add',
        'travel',
        '--grant',
        'authorization_code',
        '--audience',
        'rooms',
        '--redirect-uri',
        'https://travel.example/cb',
        '--backchannel-logout-uri',
        url,
      ),
    );
    expect(added.stderr).not.toMatch(/error/i);
    expect(added.code).toBe(0);
    expect((await run(at('users', 'add', 'alice', '--password-stdin'), { stdin: PASSWORD })).code).toBe(0);

    // Alice signed in to the app through the front desk in a browser (records as the flow makes them).
    const { ctx, close } = await openDataDir({ dataDir: join(dir, 'data'), env: {} });
    const alice = await ctx.storage.users.getByUsername('alice');
    const now = ctx.clock();
    await ctx.storage.browserSessions.create({
      id: 'browser-1',
      userId: alice!.id,
      authTime: now,
      amr: ['pwd'],
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 3_600_000,
      endedAt: null,
      endedReason: null,
    });
    await ctx.storage.sessions.create({
      id: 'session-1',
      userId: alice!.id,
      clientId: 'travel',
      audiences: ['rooms'],
      scopes: ['openid', 'rooms:read'],
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 3_600_000,
      revokedAt: null,
      revokedReason: null,
      ip: null,
      userAgent: null,
      dpopJkt: null,
      browserSessionId: 'browser-1',
      authTime: now,
      amr: ['pwd'],
      offline: false,
    });
    await close();

    const disabled = await run(at('users', 'disable', 'alice'));
    expect(disabled.code).toBe(0);
    expect(received).toHaveLength(1);
    const token = new URLSearchParams(received[0]).get('logout_token') ?? '';
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    expect(payload).toMatchObject({ aud: 'travel', sub: alice!.id, sid: 'browser-1' });

    const reopened = await openDataDir({ dataDir: join(dir, 'data'), env: {} });
    try {
      const events = await reopened.ctx.storage.audit.list({ type: 'logout.backchannel', limit: 10 });
      expect(events.map((e) => [e.subject, e.detail['result']])).toEqual([['travel', 'delivered']]);
    } finally {
      await reopened.close();
    }
  });
});
