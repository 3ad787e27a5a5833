// Child process: a real keycard auth server (built @keycard/server) on a temp SQLite data dir (or
// the `databaseUrl` in `config`), with the default argon2 cost, an audience, a confidential service
// client and seeded users. Throttling stays on (its per-request cost is part of the measurement)
// with limits raised, because every bench request comes from 127.0.0.1.
// Config (argv JSON): { users = 50, password, audience = 'bench-api', config = {} (merged),
//   seed = true (false: another instance on the same database already seeded it),
//   countStorage = false (count storage calls; the parent asks with an IPC { type: 'stats' }),
//   memoryCoordinator = false (true: an in-process coordinator whatever the config says, so
//   instances hear of each other's revocations only through the 1 s cursor poll),
//   codeFlow = undefined ({ redirectUri }: serve a stand-in web app so `/oauth/authorize` is on, and
//   register `bench-web`, a first-party confidential authorization-code client) }
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { childMain } from '../lib/child.mjs';

// A one-second window: an exact sliding-window limiter keeps one entry per counted hit, so a
// minute-long window at bench rates (thousands of requests a second from one address, far beyond
// any real per-address limit) would make each check scan ~10^5 entries and measure that instead.
const HIGH = { limit: 10_000_000, windowSeconds: 1 };

/** Wraps every method of every storage sub-store in place, counting calls as `store.method`. */
function countStorageCalls(storage) {
  const counts = {};
  for (const [name, store] of Object.entries(storage)) {
    if (store === null || typeof store !== 'object') continue;
    for (const [method, fn] of Object.entries(store)) {
      if (typeof fn !== 'function') continue;
      const key = `${name}.${method}`;
      counts[key] = 0;
      store[method] = function counted(...args) {
        counts[key]++;
        return fn.apply(this, args);
      };
    }
  }
  return counts;
}

function argon2Pool(passwords) {
  const nproc = availableParallelism();
  const threads = passwords.maxConcurrent ?? Math.max(1, nproc - 1);
  return { threads, nproc, cores: Math.min(nproc, threads * passwords.parallelism) };
}

childMain(async (cfg) => {
  const { createClient, createMemoryCoordinator, createServer, createUser } = await import('@keycard/server');
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-bench-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  // The authorization endpoint answers only while the sign-in pages are served; the bench signs in
  // through their JSON API, so an index.html stands in for the built web app.
  const ui = {};
  if (cfg.codeFlow) {
    ui.staticDir = join(dataDir, 'web');
    mkdirSync(ui.staticDir);
    writeFileSync(join(ui.staticDir, 'index.html'), '<!doctype html><title>bench</title>');
  }
  const audience = cfg.audience ?? 'bench-api';
  const server = await createServer(
    {
      dataDir,
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      ...cfg.config,
      ui: { ...ui, ...cfg.config?.ui },
      throttle: {
        loginPerIp: HIGH,
        tokenPerIp: HIGH,
        registerPerIp: HIGH,
        accountFailures: HIGH,
        accountFailuresLong: HIGH,
        // Every sign-in in flight holds a hit of these until it succeeds: 50 queued sign-ins from
        // one address would otherwise use up the default source budget (50).
        sourceFailures: HIGH,
        accountSourceFailures: HIGH,
        ...cfg.config?.throttle,
      },
    },
    cfg.memoryCoordinator ? { coordinator: createMemoryCoordinator() } : {},
  );
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
  const ctx = server.services;
  const counts = cfg.countStorage ? countStorageCalls(ctx.storage) : undefined;
  process.on('message', (m) => {
    if (m?.type === 'stats') process.send?.({ type: 'stats', id: m.id, storageCalls: { ...counts } });
  });
  // Which wake-up channels this instance has (the coordinator's health() lists its shared backends).
  const coordinator = typeof ctx.coordinator.health === 'function' ? ctx.coordinator.health() : [];
  const info = { url, audience, storage: ctx.storage.kind, coordinator, pid: process.pid };
  if (cfg.seed === false) return info;
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
  // A first-party confidential web app of the authorization-code flow (client_secret_basic, no
  // consent asked), like the oidc-provider client with its remembered consent.
  const web = cfg.codeFlow
    ? await createClient(ctx, {
        id: 'bench-web',
        type: 'confidential',
        firstParty: true,
        grants: ['authorization_code', 'refresh_token'],
        audiences: [audience],
        scopes: ['openid', 'offline_access', 'api:read'],
        redirectUris: [cfg.codeFlow.redirectUri],
      })
    : undefined;
  await ctx.storage.roles.upsert({ name: 'bench', scopes: ['api:read'], createdAt: Date.now() });
  const password = cfg.password ?? 'bench-password-0123456789';
  const users = [];
  for (let i = 0; i < (cfg.users ?? 50); i++) {
    users.push(
      createUser(ctx, { username: `bench${i}`, password, roles: ['bench'] }).then((u) => u.username),
    );
  }
  return {
    ...info,
    clientId: 'bench-service',
    clientSecret: secret,
    appId: 'bench-app',
    appSecret: app.secret,
    ...(web ? { webId: 'bench-web', webSecret: web.secret } : {}),
    users: await Promise.all(users),
    password,
    passwords: ctx.config.passwords,
    // How many cores argon2 may use at once: its pool (passwords.maxConcurrent, default cores - 1)
    // times argon2's own parallelism, at most the cores there are.
    argon2Pool: argon2Pool(ctx.config.passwords),
  };
});
