// Many instances, one system: three `keycard serve` processes (packages/cli/dist: build first) on
// one PostgreSQL schema and one Redis (the suite's own redis-server on a free port), behind Debian's
// nginx (installed by ./global-setup.ts when missing). Each scenario prints its numbers ([cluster]
// lines). Run alone: `npx vitest run test/cluster`. Skips, saying why, without nginx, redis-server,
// PostgreSQL or a built CLI. The only timing bound is the issue's: a logout reaches a guard
// following another instance within 100 ms.
import { existsSync } from 'node:fs';
import { createGuard, type Guard } from '@keycard/guard';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { probePostgres } from '../../packages/server/test/storage/postgres-helper.js';
import { CLI, Cluster, INSTANCES, LIMITS } from './support/cluster.js';
import { guardFollowing, revocationReach, streamReady, summary } from './support/guards.js';
import { freshAddress, tally } from './support/http.js';
import { waitFor } from './support/processes.js';
import { probeRedisServer } from './support/redis.js';
import { logout, refresh, type Session, signIn, signInAnswer } from './support/sessions.js';
import { distIsStale, readiness, trafficRound } from './support/traffic.js';

const skip =
  (inject('nginxSkipReason') ?? 'the cluster globalSetup did not run') ||
  (existsSync(CLI) ? undefined : `${CLI} is missing (npm run build)`) ||
  probeRedisServer() ||
  (await probePostgres());
if (skip) console.log(`cluster tests skipped: ${skip}`);
else if (distIsStale()) console.warn('cluster tests: packages/*/dist is older than src (run npx tsc -b)');

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'victim'];
/** Every ordered pair (logout at `a`, guard following `b`), a ≠ b. */
const PAIRS = [0, 1, 2].flatMap((a) => [0, 1, 2].filter((b) => b !== a).map((b) => [a, b] as const));
const log = (line: string) => console.log(`[cluster] ${line}`);

describe.skipIf(Boolean(skip))('three keycard instances behind nginx, one PostgreSQL, one Redis', () => {
  let cluster: Cluster;
  let guards: Guard[] = [];

  const followEveryInstance = async () => {
    await Promise.all(guards.map((g) => g.close()));
    guards = Array.from({ length: INSTANCES }, (_, i) => guardFollowing(cluster, i));
    await Promise.all(guards.map(streamReady));
  };

  /** `count` logouts rotating over PAIRS: the ms from each logout's answer to the guard's refusal. */
  const measureLogouts = async (count: number): Promise<number[]> => {
    const sessions: Session[] = [];
    for (let k = 0; k < count; k++) sessions.push(await signIn(cluster.issuer, USERS[k % 6]!));
    const samples: number[] = [];
    for (const [k, session] of sessions.entries()) {
      const [a, b] = PAIRS[k % PAIRS.length]!;
      // A random pause, so logouts do not fall into step with any periodic work on the servers.
      await new Promise((r) => setTimeout(r, Math.random() * 250));
      samples.push(await revocationReach(guards[b]!, session.token, () => logout(cluster.url(a), session)));
    }
    return samples;
  };

  beforeAll(async () => {
    cluster = new Cluster();
    try {
      await cluster.start(inject('nginxPath'));
      await cluster.addUsers(USERS);
      await followEveryInstance();
    } catch (error) {
      console.error(cluster.logs());
      throw error;
    }
    log(`issuer ${cluster.issuer} (nginx), instances ${cluster.ports.join(', ')}, schema ${cluster.schema}`);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(guards.map((g) => g.close()));
    await cluster?.close();
  }, 60_000);

  it('a logout on any instance reaches a guard following another instance within 100 ms', async () => {
    const samples = await measureLogouts(20);
    const { n, median, max } = summary(samples);
    log(`logout → guard on another instance (Redis + PostgreSQL): n=${n} median=${median} ms max=${max} ms`);
    log(`  samples: ${samples.map((s) => s.toFixed(1)).join(' ')}`);
    expect(max).toBeLessThan(100);
  }, 60_000);

  it('the revocation stream passes through nginx (a guard following the load balancer hears logouts)', async () => {
    // Discovery, keys and the SSE stream all through nginx: proxy_buffering off lets events through.
    const viaNginx = createGuard({
      issuer: cluster.issuer,
      audience: 'keycard',
      jwks: { cooldownSeconds: 1 },
    });
    try {
      await streamReady(viaNginx);
      const samples: number[] = [];
      for (let i = 0; i < INSTANCES; i++) {
        const session = await signIn(cluster.issuer, USERS[i]!);
        samples.push(await revocationReach(viaNginx, session.token, () => logout(cluster.url(i), session)));
      }
      log(`logout → guard following nginx: ${samples.map((s) => `${s.toFixed(1)} ms`).join(', ')}`);
    } finally {
      await viaNginx.close();
    }
  }, 60_000);

  it('the per-address sign-in limit holds for the cluster as a whole', async () => {
    const from = freshAddress();
    const { limit } = LIMITS.loginPerIp;
    const statuses: number[] = [];
    for (let k = 0; k < 3 * limit + 3; k++)
      statuses.push((await signInAnswer(cluster.issuer, 'alice', from)).status);
    log(`sign-ins from one address through nginx (loginPerIp ${limit}): ${JSON.stringify(tally(statuses))}`);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 200)).toHaveLength(limit);
    // Another address is not affected: the servers see each client, not nginx.
    expect((await signInAnswer(cluster.issuer, 'alice', freshAddress())).status).toBe(200);
  }, 60_000);

  it('the per-account failure limit holds for the cluster as a whole', async () => {
    const from = freshAddress();
    const { limit } = LIMITS.accountSourceFailures;
    const statuses: number[] = [];
    for (let k = 0; k < 3 * limit + 3; k++) {
      statuses.push((await signInAnswer(cluster.issuer, 'victim', from, 'wrong password')).status);
    }
    log(
      `wrong passwords for one account through nginx (accountSourceFailures ${limit}): ${JSON.stringify(tally(statuses))}`,
    );
    const checked = statuses.filter((s) => s !== 429);
    expect(checked.every((s) => s === 401 || s === 400)).toBe(true);
    expect(checked).toHaveLength(limit);
  }, 60_000);

  it('kill -9 of one instance during refresh storms loses no session and detects no reuse', async () => {
    const clients: Session[] = [];
    for (const username of USERS.slice(0, 6)) clients.push(await signIn(cluster.issuer, username));
    const began = Date.now();
    const stormUntil = began + 5000;
    const counts = { ok: 0, retried: 0, fivexx: 0 };
    const failures: string[] = [];
    const storm = async (session: Session) => {
      while (Date.now() < stormUntil) {
        const res = await refresh(cluster.issuer, session).catch(() => undefined);
        if (res?.status === 200) counts.ok++;
        else if (res === undefined || res.status >= 500) {
          // Lost on the way: the same refresh token again (within the grace window) is safe.
          counts.retried++;
          if (res !== undefined) counts.fivexx++;
          await new Promise((r) => setTimeout(r, 10));
        } else {
          failures.push(`${session.username}: ${res.status} ${String(res.body['error'])}`);
          return;
        }
      }
    };
    const killer = (async () => {
      await new Promise((r) => setTimeout(r, 1500));
      await cluster.stopInstance(1, 'SIGKILL');
      log(`kill -9 keycard-1 at +${Date.now() - began} ms`);
    })();
    try {
      await Promise.all([...clients.map(storm), killer]);
      const finals = await Promise.all(clients.map((s) => refresh(cluster.issuer, s)));
      const ids = clients.map((s) => s.sessionId);
      const revoked = await cluster.query(
        'select id from sessions where id = any($1) and revoked_at is not null',
        [ids],
      );
      const audit = await cluster.query<{ type: string; n: string }>(
        `select type, count(*) as n from audit_events where type in ('token.reuse_detected', 'token.refresh_grace') group by type`,
      );
      const byType = Object.fromEntries(audit.map((r) => [r.type, Number(r.n)]));
      log(
        `refresh storm: ${clients.length} clients, ${counts.ok} refreshes, ${counts.retried} retried by clients ` +
          `(${counts.fivexx} answered 5xx), grace answers ${byType['token.refresh_grace'] ?? 0}, ` +
          `reuse detected ${byType['token.reuse_detected'] ?? 0}, failures ${JSON.stringify(failures)}; ` +
          `nginx moved requests to another instance: ${JSON.stringify(cluster.upstreamFailures())}`,
      );
      expect(failures).toEqual([]);
      expect(finals.map((r) => r.status)).toEqual(clients.map(() => 200));
      expect(revoked).toEqual([]);
      expect(byType['token.reuse_detected'] ?? 0).toBe(0);
    } finally {
      await killer;
      await cluster.startInstance(1);
    }
  }, 90_000);

  it('Redis stopped and restarted: no 5xx, /readyz reports degraded, everything recovers by itself', async () => {
    const redis = cluster.redis!;
    const sessions: Session[] = [];
    for (const username of USERS.slice(0, 3)) sessions.push(await signIn(cluster.issuer, username));
    await redis.stop();
    const during: number[] = [];
    const degraded = waitFor(
      'every instance to report degraded in /readyz',
      async () => {
        const answers = await readiness(cluster);
        return answers.every((r) => r.status === 200 && r.degraded.length > 0) ? answers : undefined;
      },
      10_000,
      200,
    ).catch((error: Error) => error);
    const outageUntil = Date.now() + 3000;
    while (Date.now() < outageUntil) during.push(...(await trafficRound(cluster, USERS, sessions)));
    const reported = await degraded;
    // Revocations still propagate (PostgreSQL carries the wake-ups): printed, not bounded, here.
    const [a, b] = [0, 2];
    const victim = await signIn(cluster.issuer, 'erin');
    const reach = await revocationReach(guards[b]!, victim.token, () => logout(cluster.url(a), victim));
    log(
      `Redis down: traffic ${JSON.stringify(tally(during))}; logout reached a guard in ${reach.toFixed(1)} ms`,
    );
    log(
      `Redis down: /readyz ${reported instanceof Error ? reported.message : JSON.stringify(reported[0]?.body)}`,
    );
    expect(during.filter((s) => s >= 500 || s === 0)).toEqual([]);
    expect.soft(reported instanceof Error ? reported.message : 'degraded reported').toBe('degraded reported');

    await redis.start();
    const started = Date.now();
    await waitFor(
      'every instance to report ready without degraded',
      async () => {
        const answers = await readiness(cluster);
        return answers.every((r) => r.status === 200 && r.degraded.length === 0) ? true : undefined;
      },
      30_000,
      200,
    );
    const after: number[] = [];
    for (let k = 0; k < 3; k++) after.push(...(await trafficRound(cluster, USERS, sessions)));
    log(
      `Redis back: ready without degraded after ${Date.now() - started} ms; traffic ${JSON.stringify(tally(after))}`,
    );
    expect(after.filter((s) => s >= 500 || s === 0)).toEqual([]);
  }, 90_000);

  it('PostgreSQL LISTEN/NOTIFY carries revocations across instances with Redis absent', async () => {
    cluster.useRedis = false;
    for (let i = 0; i < INSTANCES; i++) await cluster.stopInstance(i);
    await cluster.redis!.stop();
    await Promise.all(cluster.ports.map((_, i) => cluster.startInstance(i)));
    await followEveryInstance();
    const samples = await measureLogouts(12);
    const { n, median, max } = summary(samples);
    log(`logout → guard on another instance (PostgreSQL only): n=${n} median=${median} ms max=${max} ms`);
    log(`  samples: ${samples.map((s) => s.toFixed(1)).join(' ')}`);
    expect(max).toBeLessThan(100);
  }, 90_000);
});
