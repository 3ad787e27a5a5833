// Auth-server throughput: client_credentials and refresh_token grants, keycard vs oidc-provider (ES256
// JWT access tokens, same run, interleaved rounds), keycard on each storage asked for (its default
// SQLite file, and/or PostgreSQL in a fresh schema dropped at the end) against one oidc-provider (in
// memory); keycard sign-in throughput at its argon2 cost, per core; and JWKS / refresh /
// client_credentials latency while 50 sign-ins run at once.
// Usage: node bench/server.mjs [--rounds 5] [--duration 5] [--connections 50] [--storage sqlite,pg]
//   [--skip-signin]   (PostgreSQL: KEYCARD_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test)
import { join } from 'node:path';
import { freshPostgres, listArg, PG_URL, probePostgres } from './lib/cluster.mjs';
import { cpuMs, pin, runHttpInterleaved, startChild } from './lib/http.mjs';
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
import { signInReport } from './lib/signin.mjs';
import { fmtMs, fmtRate, fmtRatio, fmtUs, median, pairedRatio, targetCell } from './lib/stats.mjs';
import { makeAgent, request, runWorkers, summarizeWorkerRuns } from './lib/workers.mjs';

const args = parseArgs();
const rounds = args.rounds ?? 5;
const duration = args.duration ?? 5;
const connections = args.connections ?? 50;
const storages = listArg(args.storage, ['sqlite']);
const STORAGE_NAMES = { sqlite: 'SQLite', pg: 'PostgreSQL' };
for (const k of storages) if (!(k in STORAGE_NAMES)) throw new Error(`--storage: unknown ${k} (sqlite, pg)`);
// keycard / oidc-provider, by req/s (paired per round) and by server CPU per request.
const TARGETS = { client_credentials: 2, refresh_token: 1.5 };
hardTimeout(20 * 60_000, 'server bench');
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
const pgSkip = storages.includes('pg') ? await probePostgres(PG_URL) : undefined;
if (pgSkip) throw new Error(`--storage pg: ${pgSkip}`);
const pgPlace = storages.includes('pg') ? await freshPostgres({ url: PG_URL }) : undefined;
const results = { config: { rounds, duration, connections, storages } };
const out = [];
const misses = [];
const servers = [];

try {
  /** keycard on each storage (pinned to CPU 0, like oidc-provider), then oidc-provider. */
  const keycards = [];
  for (const kind of storages) {
    const config = kind === 'pg' ? { config: { databaseUrl: pgPlace.databaseUrl } } : {};
    const srv = await startChild(join(BENCH_DIR, 'servers', 'keycard-server.mjs'), {
      users: connections,
      ...config,
    });
    servers.push(srv);
    if (srv.ready.storage !== (kind === 'pg' ? 'postgres' : 'sqlite'))
      throw new Error(`keycard on ${kind}: storage is ${srv.ready.storage}`);
    keycards.push({ id: `keycard (${STORAGE_NAMES[kind]})`, kind, srv, kc: srv.ready });
  }
  const opServer = await startChild(join(BENCH_DIR, 'servers', 'oidc-provider-server.mjs'), OP);
  servers.push(opServer);
  const op = opServer.ready;
  results.config.argon2 = keycards[0].kc.passwords;

  // --- client_credentials -------------------------------------------------------------------
  const ccTarget = ({ id, srv, kc }) => {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'api:read',
      audience: kc.audience,
    });
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(kc.clientId, kc.clientSecret),
    };
    return {
      id,
      url: `${kc.url}/oauth/token`,
      method: 'POST',
      headers,
      body: body.toString(),
      cpuPid: srv.child.pid,
    };
  };
  const opCc = {
    id: 'oidc-provider',
    cpuPid: opServer.child.pid,
    url: `${op.issuer}/token`,
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(OP.clientId, OP.clientSecret),
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'api:read',
      resource: OP.resource,
    }).toString(),
  };
  const ccTargets = [...keycards.map(ccTarget), opCc];
  for (const t of ccTargets) {
    const form = Object.fromEntries(new URLSearchParams(t.body));
    checkTokenResponse(
      `${t.id} client_credentials`,
      await tokenRequest(t.url, form, { authorization: t.headers.authorization }),
    );
  }
  const cc = await runHttpInterleaved(ccTargets, {
    rounds,
    duration,
    connections,
    log: (m) => console.error(`client_credentials: ${m}`),
  });
  results.clientCredentials = Object.fromEntries(cc);

  // --- refresh_token: each worker carries its own rotating chain --------------------------------
  const agent = makeAgent(connections * 2);
  const opAuth = basicAuth(OP.clientId, OP.clientSecret);
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
  const refreshSubjects = [];
  for (const { id, srv, kc } of keycards) {
    const auth = basicAuth(kc.appId, kc.appSecret);
    const chains = await Promise.all(
      kc.users.slice(0, connections).map(async (username) => {
        const body = await tokenRequest(
          `${kc.url}/oauth/token`,
          {
            grant_type: 'password',
            username,
            password: kc.password,
            scope: 'api:read',
            audience: kc.audience,
          },
          { authorization: auth },
        );
        checkTokenResponse(`${id} password grant`, body, { refresh: true });
        return { rt: body.refresh_token };
      }),
    );
    refreshSubjects.push({
      id,
      pid: srv.child.pid,
      chains,
      step: refreshStep(`${kc.url}/oauth/token`, auth, {}),
    });
  }
  const opChains = [];
  for (let i = 0; i < connections; i++) {
    const body = await oidcProviderRefreshToken(op.issuer, OP);
    checkTokenResponse('oidc-provider authorization_code', body, { refresh: true });
    opChains.push({ rt: body.refresh_token });
  }
  refreshSubjects.push({
    id: 'oidc-provider',
    pid: opServer.child.pid,
    chains: opChains,
    step: refreshStep(`${op.issuer}/token`, opAuth, {}),
  });
  const refreshRuns = new Map(refreshSubjects.map((s) => [s.id, []]));
  for (const s of refreshSubjects) await runWorkers(s.chains, s.step, { durationMs: 2000 }); // warmup
  for (let r = 0; r < rounds; r++) {
    const offset = r % refreshSubjects.length;
    const order = [...refreshSubjects.slice(offset), ...refreshSubjects.slice(0, offset)];
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
    const target = TARGETS[grant];
    const peer = res['oidc-provider'];
    for (const { id, kind } of keycards) {
      const x = res[id];
      const ratio = pairedRatio(x.rpsRounds, peer.rpsRounds);
      // Per-round CPU ratios too: CPU per request is the steadier figure on a shared machine.
      const cpuRatio = median(
        x.rounds.map((run, i) => (peer.rounds[i]?.cpuUsPerReq ?? Number.NaN) / run.cpuUsPerReq),
      );
      // The target is for keycard on its default storage (SQLite); PostgreSQL is reported.
      const judged = kind === 'sqlite';
      if (judged && ratio < target)
        misses.push(`${grant}: ${fmtRatio(ratio)} oidc-provider (target ${target}×)`);
      x.ratio = ratio;
      x.cpuRatio = cpuRatio;
      grantRows.push([
        grant,
        id,
        fmtRate(x.rps),
        fmtMs(x.p50),
        fmtMs(x.p99),
        fmtUs(x.cpuUsPerReq),
        judged ? targetCell(ratio, target) : fmtRatio(ratio),
        judged ? targetCell(cpuRatio, target) : fmtRatio(cpuRatio),
      ]);
    }
    grantRows.push([
      grant,
      'oidc-provider',
      fmtRate(peer.rps),
      fmtMs(peer.p50),
      fmtMs(peer.p99),
      fmtUs(peer.cpuUsPerReq),
      '',
      '',
    ]);
  }
  out.push(
    `#### Token endpoint: keycard vs oidc-provider (medians of ${rounds} interleaved rounds × ${duration} s, ratios = medians of per-round ratios, ${connections} connections; targets: client_credentials ≥ ${TARGETS.client_credentials}×, refresh_token ≥ ${TARGETS.refresh_token}×, keycard on SQLite)`,
    '',
    "Server CPU/req is the server process (all threads); PostgreSQL's own processes are not in it. oidc-provider keeps everything in memory.",
    '',
    markdownTable(
      [
        'grant',
        'server',
        'req/s',
        'p50',
        'p99',
        'server CPU/req',
        'keycard / oidc-provider (req/s)',
        'by CPU/req',
      ],
      grantRows,
    ),
    '',
  );
} finally {
  for (const srv of servers.reverse()) await srv.stop();
  await pgPlace?.drop();
}

// --- sign-in: throughput at the configured argon2 cost, per core, and the other endpoints meanwhile --
if (!args['skip-signin']) {
  const signIn = await signInReport({ duration, misses });
  results.signIn = signIn.results;
  out.push(...signIn.lines);
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
