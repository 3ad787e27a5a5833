// Shared set-up for the cross-package tests: a real @keycard/server on loopback (in-memory storage)
// and real guarded doors, closed together at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Guard, GuardOptions } from '@keycard/guard';
import { createGuard } from '@keycard/guard';
import type { KeycardServer, ServerContext } from '@keycard/server';
import { createServer } from '@keycard/server';

export const PASSWORD = 'correct horse battery staple';

export interface Hotel {
  server: KeycardServer;
  issuer: string;
  ctx: ServerContext;
  /** A guard for one audience against this issuer (fast reconnects), closed by `close()`. */
  guard(audience: string, extra?: Partial<GuardOptions>): Guard;
  /** Registers something to close at the end (doors, gateways). */
  onClose(close: () => Promise<unknown> | unknown): void;
  close(): Promise<void>;
}

export async function openHotel(name: string): Promise<Hotel> {
  const dir = mkdtempSync(join(tmpdir(), `keycard-${name}-`));
  const server = await createServer(
    { logLevel: 'silent', dataDir: dir, databaseUrl: 'memory', port: 0, revocations: { pingInterval: 1 } },
    { unsafeFastPasswordHashingForTests: true, jobs: false },
  );
  const issuer = await server.listen();
  const closers: (() => Promise<unknown> | unknown)[] = [];
  const guards: Guard[] = [];
  return {
    server,
    issuer,
    ctx: server.services,
    guard(audience, extra = {}) {
      const guard = createGuard({
        issuer,
        audience,
        jwks: { cooldownSeconds: 1 },
        revocation: { minReconnectDelayMs: 20, maxReconnectDelayMs: 200 },
        ...extra,
      });
      guards.push(guard);
      return guard;
    },
    onClose: (close) => closers.push(close),
    async close() {
      for (const close of closers.reverse()) await close();
      await Promise.all(guards.map((g) => g.close()));
      await server.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Listens on 127.0.0.1:0 and returns the base URL; the hotel closes it. */
export async function listen(hotel: Hotel, server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hotel.onClose(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The payload of a JWT, unverified (tests only: what the issuer put in the card). */
export const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> & { error?: unknown } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : JSON.parse(text) };
}

/** Waits (≤ 15 s) until `attempt` answers 401; the caller shows the card outlives that by far. */
export async function until401(attempt: () => Promise<Response>): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await attempt();
    await res.body?.cancel();
    if (res.status === 401) return;
    if (Date.now() > deadline) throw new Error(`still ${res.status} after 15 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
