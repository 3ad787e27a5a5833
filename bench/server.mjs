// Auth-server throughput: client_credentials and refresh_token grants, keycard vs oidc-provider (ES256
// JWT access tokens, same run, interleaved rounds); keycard sign-in throughput at its argon2 cost; and
// JWKS / refresh latency while 50 sign-ins run at once.
// Usage: node bench/server.mjs [--rounds 5] [--duration 5] [--connections 50] [--skip-signin]
import { join } from 'node:path';
import { cannon, cpuMs, pin, runHttpInterleaved, startChild } from './lib/http.mjs';
import { basicAuth, oidcProviderRefreshToken, tokenRequest } from './lib/oauth-client.mjs';
import {
  BENCH_DIR,
  hardTimeout,
  header,
  markdownTable,
  parseArgs,
  waitForQuiet,
  writeJson,
} from './lib/report.mjs';
import { fmtMs, fmtRate, fmtRatio, fmtUs, pairedRatio, targetCell } from './lib/stats.mjs';
import { makeAgent, request, runWorkers, summarizeWorkerRuns } from './lib/workers.mjs';

const args = parseArgs();
const rounds = args.rounds ?? 5;
const duration = args.duration ?? 5;
const connections = args.connections ?? 50;
hardTimeout(15 * 60_000, 'server bench');
pin(process.pid, 1);

const OP = {
  clientId: 'bench',
  clientSecret: 'bench-secret-0123456789abcdef0123456789abcdef',
  redirectUri: 'http://127.0.0.1:1/cb',
  resource: 'https://api.bench.test',
};

const decode = (jwt) => jwt.split('.').map((s, i) => (i < 2 ? JSON.parse(Buffer.from(s, 'base64url')) : s));

/** Checks a token response: an ES256 at+jwt access token (and a refresh token when asked). */
function checkTokenResponse(label, body, { refresh = false } = {}) {
  const [h, p] = decode(body.access_token);
  if (h.alg !== 'ES256' || !/at\+jwt$/.test(h.typ) || typeof p.exp !== 'number') {
    throw new Error(`${label}: unexpected access token ${JSON.stringify(h)}`);
  }
  if (refresh && typeof body.refresh_token !== 'string') throw new Error(`${label}: no refresh token`);
}

await waitForQuiet();
const kcServer = await startChild(join(BENCH_DIR, 'servers', 'keycard-server.mjs'), { users: connections });
const opServer = await startChild(join(BENCH_DIR, 'servers', 'oidc-provider-server.mjs'), OP);
const kc = kcServer.ready;
const op = opServer.ready;
const results = { config: { rounds, duration, connections, argon2: kc.passwords } };
const out = [];
const misses = [];

try {
  // --- client_credentials -------------------------------------------------------------------
  const kcCcBody = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: 'api:read',
    audience: kc.audience,
  }).toString();
  const opCcBody = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: 'api:read',
    resource: OP.resource,
  }).toString();
  const kcCcHeaders = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: basicAuth(kc.clientId, kc.clientSecret),
  };
  const opCcHeaders = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: basicAuth(OP.clientId, OP.clientSecret),
  };
  checkTokenResponse(
    'keycard client_credentials',
    await tokenRequest(`${kc.url}/oauth/token`, Object.fromEntries(new URLSearchParams(kcCcBody)), {
      authorization: kcCcHeaders.authorization,
    }),
  );
  checkTokenResponse(
    'oidc-provider client_credentials',
    await tokenRequest(`${op.issuer}/token`, Object.fromEntries(new URLSearchParams(opCcBody)), {
      authorization: opCcHeaders.authorization,
    }),
  );
  const cc = await runHttpInterleaved(
    [
      {
        id: 'keycard',
        url: `${kc.url}/oauth/token`,
        method: 'POST',
        headers: kcCcHeaders,
        body: kcCcBody,
        cpuPid: kcServer.child.pid,
      },
      {
        id: 'oidc-provider',
        cpuPid: opServer.child.pid,
        url: `${op.issuer}/token`,
        method: 'POST',
        headers: opCcHeaders,
        body: opCcBody,
      },
    ],
    { rounds, duration, connections, log: (m) => console.error(`client_credentials: ${m}`) },
  );
  results.clientCredentials = Object.fromEntries(cc);

  // --- refresh_token: each worker carries its own rotating chain --------------------------------
  const agent = makeAgent(connections * 2);
  const kcAppAuth = basicAuth(kc.appId, kc.appSecret);
  const opAuth = basicAuth(OP.clientId, OP.clientSecret);
  const kcChains = await Promise.all(
    kc.users.slice(0, connections).map(async (username) => {
      const body = await tokenRequest(
        `${kc.url}/oauth/token`,
        { grant_type: 'password', username, password: kc.password, scope: 'api:read', audience: kc.audience },
        { authorization: kcAppAuth },
      );
      checkTokenResponse('keycard password grant', body, { refresh: true });
      return { rt: body.refresh_token };
    }),
  );
  const opChains = [];
  for (let i = 0; i < connections; i++) {
    const body = await oidcProviderRefreshToken(op.issuer, OP);
    checkTokenResponse('oidc-provider authorization_code', body, { refresh: true });
    opChains.push({ rt: body.refresh_token });
  }
  const refreshStep = (url, auth, extra) => async (chain) => {
    const res = await request(agent, url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: chain.rt,
        ...extra,
      }).toString(),
    });
    if (res.status !== 200) throw new Error(`refresh ${url}: ${res.status} ${res.body.slice(0, 200)}`);
    const body = JSON.parse(res.body);
    if (typeof body.refresh_token !== 'string' || body.refresh_token === chain.rt)
      throw new Error('refresh: not rotated');
    chain.rt = body.refresh_token;
    return true;
  };
  const refreshSubjects = [
    {
      id: 'keycard',
      pid: kcServer.child.pid,
      chains: kcChains,
      step: refreshStep(`${kc.url}/oauth/token`, kcAppAuth, {}),
    },
    {
      id: 'oidc-provider',
      pid: opServer.child.pid,
      chains: opChains,
      step: refreshStep(`${op.issuer}/token`, opAuth, {}),
    },
  ];
  const refreshRuns = new Map(refreshSubjects.map((s) => [s.id, []]));
  for (const s of refreshSubjects) await runWorkers(s.chains, s.step, { durationMs: 2000 }); // warmup
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...refreshSubjects].reverse() : refreshSubjects;
    for (const s of order) {
      const cpu0 = cpuMs(s.pid);
      const res = await runWorkers(s.chains, s.step, { durationMs: duration * 1000 });
      res.cpuUsPerReq = ((cpuMs(s.pid) - cpu0) * 1000) / res.count;
      if (res.failures) throw new Error(`${s.id} refresh: ${res.failures} failures: ${res.firstFailure}`);
      refreshRuns.get(s.id).push(res);
    }
    console.error(`refresh_token: round ${r + 1}/${rounds} done`);
  }
  results.refresh = summarizeWorkerRuns(refreshRuns);

  const grantRows = [];
  for (const [grant, res] of [
    ['client_credentials', results.clientCredentials],
    ['refresh_token', results.refresh],
  ]) {
    const ratio = pairedRatio(res.keycard.rpsRounds, res['oidc-provider'].rpsRounds);
    if (ratio < 2) misses.push(`${grant}: ${fmtRatio(ratio)} oidc-provider (target 2×)`);
    for (const id of ['keycard', 'oidc-provider']) {
      const x = res[id];
      grantRows.push([
        grant,
        id,
        fmtRate(x.rps),
        fmtMs(x.p50),
        fmtMs(x.p99),
        fmtUs(x.cpuUsPerReq),
        id === 'keycard' ? targetCell(ratio, 2) : '',
      ]);
    }
  }
  out.push(
    `#### Token endpoint: keycard vs oidc-provider (medians of ${rounds} interleaved rounds × ${duration} s, ratio = median of per-round ratios, ${connections} connections)`,
    '',
    markdownTable(
      ['grant', 'server', 'req/s', 'p50', 'p99', 'server CPU/req', 'keycard / oidc-provider (≥2×)'],
      grantRows,
    ),
    '',
  );
} finally {
  await opServer.stop();
  await kcServer.stop();
}

// --- sign-in: throughput at the configured argon2 cost, and the other endpoints meanwhile ---------
if (!args['skip-signin']) {
  // The server gets both cores here (argon2 runs on libuv's pool); the load generator shares them.
  const srv = await startChild(
    join(BENCH_DIR, 'servers', 'keycard-server.mjs'),
    { users: 60 },
    { cpu: null },
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
    const signInRun = await cannon({ ...signIn, connections: 50, duration: duration * 2 });
    if (signInRun.non2xx || signInRun.errors)
      throw new Error(`sign-in: ${JSON.stringify(signInRun.statusCodeStats)}`);

    // Probes: JWKS at a fixed rate (open loop) and 5 refresh chains in closed loop, first alone, then
    // while 50 sign-ins run concurrently.
    const agent = makeAgent(20);
    const chains = [];
    for (const username of s.users.slice(50, 55)) {
      const body = await tokenRequest(
        `${s.url}/oauth/token`,
        { grant_type: 'password', username, password: s.password, scope: 'api:read', audience: s.audience },
        { authorization: basicAuth(s.appId, s.appSecret) },
      );
      chains.push({ rt: body.refresh_token });
    }
    const appAuth = basicAuth(s.appId, s.appSecret);
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
    const probes = async () => {
      const [jwks, rf] = await Promise.all([
        cannon({
          url: `${s.url}/.well-known/jwks.json`,
          connections: 4,
          overallRate: 200,
          duration: duration * 2,
        }),
        runWorkers(chains, refresh, { durationMs: duration * 2000 }),
      ]);
      if (jwks.non2xx || jwks.errors || rf.failures)
        throw new Error(`probes failed: ${rf.firstFailure ?? 'jwks non-2xx'}`);
      return { jwks, refresh: rf };
    };
    const jwksOnly = await cannon({
      url: `${s.url}/.well-known/jwks.json`,
      connections: 4,
      overallRate: 200,
      duration: duration * 2,
    });
    const alone = await probes();
    const [loaded, concurrentSignIn] = await Promise.all([
      probes(),
      cannon({ ...signIn, connections: 50, duration: duration * 2 }),
    ]);
    results.signIn = { throughput: signInRun, jwksOnly, alone, loaded, concurrentSignIn };

    const ok = (ms) => (ms < 50 ? '✅' : '❌');
    for (const [what, ms] of [
      ['JWKS p99 during 50 sign-ins', loaded.jwks.p99],
      ['refresh p99 during 50 sign-ins', loaded.refresh.p99],
    ]) {
      if (!(ms < 50)) misses.push(`${what}: ${fmtMs(ms)} (target < 50 ms)`);
    }
    out.push(
      `#### Sign-in (\`POST /api/login\`, argon2id m=${s.passwords.memoryCost} KiB t=${s.passwords.timeCost} p=${s.passwords.parallelism}; server unpinned on ${duration * 2} s runs)`,
      '',
      markdownTable(
        ['measurement', 'req/s', 'p50', 'p99', 'target'],
        [
          ['sign-in, 50 connections', fmtRate(signInRun.rps), fmtMs(signInRun.p50), fmtMs(signInRun.p99), ''],
          [
            'JWKS at 200 req/s, nothing else',
            fmtRate(jwksOnly.rps),
            fmtMs(jwksOnly.p50),
            fmtMs(jwksOnly.p99),
            '',
          ],
          [
            'JWKS at 200 req/s, with the refresh chains (no sign-ins)',
            fmtRate(alone.jwks.rps),
            fmtMs(alone.jwks.p50),
            fmtMs(alone.jwks.p99),
            '',
          ],
          [
            'refresh (5 chains, 20 ms pause), no sign-ins',
            fmtRate(alone.refresh.rps),
            fmtMs(alone.refresh.p50),
            fmtMs(alone.refresh.p99),
            '',
          ],
          [
            'JWKS at 200 req/s, during 50 sign-ins',
            fmtRate(loaded.jwks.rps),
            fmtMs(loaded.jwks.p50),
            fmtMs(loaded.jwks.p99),
            `p99 < 50 ms ${ok(loaded.jwks.p99)}`,
          ],
          [
            'refresh (5 chains, 20 ms pause), during 50 sign-ins',
            fmtRate(loaded.refresh.rps),
            fmtMs(loaded.refresh.p50),
            fmtMs(loaded.refresh.p99),
            `p99 < 50 ms ${ok(loaded.refresh.p99)}`,
          ],
          [
            'the 50 concurrent sign-ins themselves',
            fmtRate(concurrentSignIn.rps),
            fmtMs(concurrentSignIn.p50),
            fmtMs(concurrentSignIn.p99),
            '',
          ],
        ],
      ),
      '',
    );
  } finally {
    await srv.stop();
  }
}

const cmd = `node bench/server.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  [
    '### Auth server',
    '',
    header(cmd),
    '',
    ...out,
    misses.length ? `Missed targets: ${misses.join('; ')}.` : 'All server targets hold.',
  ].join('\n'),
);
writeJson('server', { command: cmd, results });
