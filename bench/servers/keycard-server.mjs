// Child process: a real keycard auth server (built @keycard/server) on a temp SQLite data dir,
// with the default argon2 cost, an audience, a confidential service client and seeded users.
// Throttling stays on (its per-request cost is part of the measurement) with limits raised,
// because every bench request comes from 127.0.0.1.
// Config (argv JSON): { users = 50, password, audience = 'bench-api', config = {} (merged) }
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childMain } from '../lib/child.mjs';

const HIGH = { limit: 10_000_000, windowSeconds: 60 };

childMain(async (cfg) => {
  const { createClient, createServer, createUser } = await import('@keycard/server');
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-bench-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const audience = cfg.audience ?? 'bench-api';
  const server = await createServer(
    {
      dataDir,
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      ...cfg.config,
      throttle: {
        loginPerIp: HIGH,
        tokenPerIp: HIGH,
        registerPerIp: HIGH,
        accountFailures: HIGH,
        accountFailuresLong: HIGH,
        ...cfg.config?.throttle,
      },
    },
    {},
  );
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
  const ctx = server.services;
  await ctx.storage.audiences.upsert({
    id: audience,
    name: 'bench API',
    scopes: ['api:read'],
    uri: null,
    createdAt: Date.now(),
  });
  const { secret } = await createClient(ctx, {
    id: 'bench-service',
    type: 'confidential',
    grants: ['client_credentials'],
    audiences: [audience],
    scopes: ['api:read'],
  });
  // A first-party confidential app for the password and refresh grants (client_secret_basic, like
  // the oidc-provider client it is compared with), and a role that grants the API scope.
  const app = await createClient(ctx, {
    id: 'bench-app',
    type: 'confidential',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: [audience],
    scopes: ['api:read'],
  });
  await ctx.storage.roles.upsert({ name: 'bench', scopes: ['api:read'], createdAt: Date.now() });
  const password = cfg.password ?? 'bench-password-0123456789';
  const users = [];
  for (let i = 0; i < (cfg.users ?? 50); i++) {
    users.push(
      createUser(ctx, { username: `bench${i}`, password, roles: ['bench'] }).then((u) => u.username),
    );
  }
  return {
    url,
    audience,
    clientId: 'bench-service',
    clientSecret: secret,
    appId: 'bench-app',
    appSecret: app.secret,
    users: await Promise.all(users),
    password,
    passwords: ctx.config.passwords,
  };
});
