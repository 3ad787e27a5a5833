// The sign-in part of bench/server.mjs: keycard's sign-in throughput at its argon2 cost, per core
// (the argon2 pool's threads, and the server's measured CPU per sign-in), and the latency of JWKS,
// refresh and client_credentials while 50 sign-ins queue.
import { join } from 'node:path';
import { cannon, cpuMs, startChild } from './http.mjs';
import { basicAuth, tokenRequest } from './oauth-client.mjs';
import { BENCH_DIR, markdownTable } from './report.mjs';
import { fmtMs, fmtRate } from './stats.mjs';
import { makeAgent, request, runWorkers } from './workers.mjs';

const ok = (ms) => (ms < 50 ? '✅' : '❌');
const row = (label, r, target = '') => [label, fmtRate(r.rps), fmtMs(r.p50), fmtMs(r.p99), target];

/**
 * Runs the sign-in measurements on a fresh keycard child (SQLite, unpinned: argon2 runs on libuv's
 * pool and may use both cores). Pushes missed targets onto `misses`; returns { lines, results }.
 */
export async function signInReport({ duration, misses }) {
  // On both cores: this process is pinned to CPU 1, and a child would inherit that (and with it
  // an argon2 pool sized for one core).
  const srv = await startChild(
    join(BENCH_DIR, 'servers', 'keycard-server.mjs'),
    { users: 60 },
    { cpu: 'all' },
  );
  const s = srv.ready;
  try {
    const loginBody = (i) =>
      JSON.stringify({ username: s.users[i % 50], password: s.password, client_id: 'keycard-cli' });
    let n = 0;
    const signIn = {
      url: `${s.url}/api/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        { method: 'POST', path: '/api/login', setupRequest: (req) => ({ ...req, body: loginBody(n++) }) },
      ],
    };
    const first = await fetch(`${s.url}/api/login`, {
      method: 'POST',
      headers: signIn.headers,
      body: loginBody(0),
    });
    if (first.status !== 200) throw new Error(`sign-in check: ${first.status} ${await first.text()}`);
    const cpu0 = cpuMs(srv.child.pid);
    const signInRun = await cannon({ ...signIn, connections: 50, duration: duration * 2 });
    const cpuPerSignInMs = (cpuMs(srv.child.pid) - cpu0) / signInRun.total;
    if (signInRun.non2xx || signInRun.errors)
      throw new Error(`sign-in: ${JSON.stringify(signInRun.statusCodeStats)}`);

    // Probes: JWKS and client_credentials at fixed rates (open loop) and 5 refresh chains in closed
    // loop, first alone, then while 50 sign-ins run concurrently.
    const agent = makeAgent(20);
    const appAuth = basicAuth(s.appId, s.appSecret);
    const chains = [];
    for (const username of s.users.slice(50, 55)) {
      const body = await tokenRequest(
        `${s.url}/oauth/token`,
        { grant_type: 'password', username, password: s.password, scope: 'api:read', audience: s.audience },
        { authorization: appAuth },
      );
      chains.push({ rt: body.refresh_token });
    }
    const refresh = async (chain) => {
      const res = await request(agent, `${s.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: appAuth },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: chain.rt }).toString(),
      });
      if (res.status !== 200) throw new Error(`refresh: ${res.status} ${res.body.slice(0, 200)}`);
      chain.rt = JSON.parse(res.body).refresh_token;
      await new Promise((r) => setTimeout(r, 20));
      return true;
    };
    const jwksProbe = () =>
      cannon({
        url: `${s.url}/.well-known/jwks.json`,
        connections: 4,
        overallRate: 200,
        duration: duration * 2,
      });
    const ccProbe = () =>
      cannon({
        url: `${s.url}/oauth/token`,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basicAuth(s.clientId, s.clientSecret),
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'api:read',
          audience: s.audience,
        }).toString(),
        connections: 4,
        overallRate: 100,
        duration: duration * 2,
      });
    const probes = async () => {
      const [jwks, cc, rf] = await Promise.all([
        jwksProbe(),
        ccProbe(),
        runWorkers(chains, refresh, { durationMs: duration * 2000 }),
      ]);
      if (jwks.non2xx || jwks.errors || cc.non2xx || cc.errors || rf.failures)
        throw new Error(`probes failed: ${rf.firstFailure ?? 'jwks or client_credentials non-2xx'}`);
      return { jwks, cc, refresh: rf };
    };
    const jwksOnly = await jwksProbe();
    const alone = await probes();
    const [loaded, concurrentSignIn] = await Promise.all([
      probes(),
      cannon({ ...signIn, connections: 50, duration: duration * 2 }),
    ]);
    const pool = s.argon2Pool;
    const results = {
      throughput: signInRun,
      cpuPerSignInMs,
      pool,
      jwksOnly,
      alone,
      loaded,
      concurrentSignIn,
    };

    for (const [what, ms] of [
      ['JWKS p99 during 50 sign-ins', loaded.jwks.p99],
      ['refresh p99 during 50 sign-ins', loaded.refresh.p99],
      ['client_credentials p99 during 50 sign-ins', loaded.cc.p99],
    ]) {
      if (!(ms < 50)) misses.push(`${what}: ${fmtMs(ms)} (target < 50 ms)`);
    }
    const p = s.passwords;
    const lines = [
      `#### Sign-in (\`POST /api/login\`, argon2id m=${p.memoryCost} KiB t=${p.timeCost} p=${p.parallelism}; server unpinned on ${duration * 2} s runs)`,
      '',
      `argon2 pool: ${pool.threads} hash${pool.threads === 1 ? '' : 'es'} at once × p=${p.parallelism} = ${pool.cores} core${pool.cores === 1 ? '' : 's'} of ${pool.nproc} (passwords.maxConcurrent, default cores − 1). ` +
        `Sign-ins per second per core: ${fmtRate(signInRun.rps / pool.cores)} by the pool's cores; ` +
        `${fmtRate(1000 / cpuPerSignInMs)} by the server's measured CPU (${cpuPerSignInMs.toFixed(1)} ms of CPU per sign-in, all threads).`,
      '',
      markdownTable(
        ['measurement', 'req/s', 'p50', 'p99', 'target'],
        [
          row('sign-in, 50 connections', signInRun),
          row('JWKS at 200 req/s, nothing else', jwksOnly),
          row('JWKS at 200 req/s, with the other probes (no sign-ins)', alone.jwks),
          row('client_credentials at 100 req/s, no sign-ins', alone.cc),
          row('refresh (5 chains, 20 ms pause), no sign-ins', alone.refresh),
          row('JWKS at 200 req/s, during 50 sign-ins', loaded.jwks, `p99 < 50 ms ${ok(loaded.jwks.p99)}`),
          row(
            'client_credentials at 100 req/s, during 50 sign-ins',
            loaded.cc,
            `p99 < 50 ms ${ok(loaded.cc.p99)}`,
          ),
          row(
            'refresh (5 chains, 20 ms pause), during 50 sign-ins',
            loaded.refresh,
            `p99 < 50 ms ${ok(loaded.refresh.p99)}`,
          ),
          row('the 50 concurrent sign-ins themselves', concurrentSignIn),
        ],
      ),
      '',
    ];
    return { lines, results };
  } finally {
    await srv.stop();
  }
}
