// Authorization-code flow (OpenID Connect, PKCE S256) and the refresh of its sessions, keycard vs
// oidc-provider in the same run (interleaved rounds, closed-loop workers, servers pinned to CPU 0).
// (a) one flow = an authorization request from a browser already signed in (its session cookie),
//     for a first-party client (keycard) / with the consent remembered (oidc-provider) → a redirect
//     with a code → the token request exchanging it (client_secret_basic + code_verifier) → access,
//     ID and refresh tokens. (b) the refresh_token grant on the refresh tokens (a) obtained, rotating
//     on both, with the session's scope (`openid api:read`).
// keycard runs on its default durable SQLite file; a second keycard on its in-memory storage (like
// oidc-provider's in-memory adapter) is measured too, as a reference for what storage costs.
// Usage: node bench/code-flow.mjs [--rounds 5] [--duration 5] [--connections 50] [--no-memory]
//   [--cpu-prof DIR]   --no-memory: no in-memory keycard row; --cpu-prof DIR: the SQLite keycard
//   server child writes a V8 CPU profile there (summarise with bench/lib/profile-summary.mjs)
import os from 'node:os';
import { join, resolve } from 'node:path';
import { diffCalls, storageCalls } from './lib/cluster.mjs';
import { checkTokens, flowStep, keycardBrowser, refreshStep } from './lib/code-flow-steps.mjs';
import { cpuMs, pin, startChild } from './lib/http.mjs';
import { basicAuth, oidcProviderSignIn } from './lib/oauth-client.mjs';
import {
  BENCH_DIR,
  hardTimeout,
  header,
  markdownTable,
  parseArgs,
  waitForQuiet,
  writeJson,
} from './lib/report.mjs';
import { fmtMs, fmtRate, fmtRatio, fmtUs, pairedRatio } from './lib/stats.mjs';
import { makeAgent, runWorkers, summarizeWorkerRuns } from './lib/workers.mjs';

const args = parseArgs();
const rounds = args.rounds ?? 5;
const duration = args.duration ?? 5;
const connections = args.connections ?? 50;
hardTimeout(15 * 60_000, 'code-flow bench');
pin(process.pid, 1);

// No offline_access: oidc-provider grants it only with prompt=consent (OpenID Connect Core §11), an
// interaction on every flow; keycard issues a refresh token without it. On both, the refresh token
// then lives as long as the browser session it came from (oidc-provider: `issueRefreshToken` hook).
const SCOPE = 'openid api:read';
const REDIRECT_URI = 'http://127.0.0.1:1/cb';
const OP = {
  clientId: 'bench',
  clientSecret: 'bench-secret-0123456789abcdef0123456789abcdef',
  redirectUri: REDIRECT_URI,
  resource: 'https://api.bench.test',
  refreshWithoutOfflineAccess: true,
};
const MEMORY_ID = 'keycard, in-memory storage';
const agent = makeAgent(connections * 2);

/** Warmup then interleaved rounds of closed-loop runs; CPU per flow/request; keycard storage calls. */
async function measure(label, subjects, stepOf, kcChild) {
  const runs = new Map(subjects.map((s) => [s.id, []]));
  const calls = { total: 0, perMethod: {} };
  let counted = 0;
  const timed = async (s, ms) => {
    const before = s.id === 'keycard' ? await storageCalls(kcChild) : undefined;
    const cpu0 = cpuMs(s.pid);
    const me0 = process.cpuUsage();
    const res = await runWorkers(s.workers, stepOf(s), { durationMs: ms });
    const me = process.cpuUsage(me0);
    res.cpuUsPerReq = ((cpuMs(s.pid) - cpu0) * 1000) / res.count;
    res.clientCpuShare = (me.user + me.system) / 1000 / ms;
    if (res.failures) throw new Error(`${s.id} ${label}: ${res.failures} failures: ${res.firstFailure}`);
    if (before) {
      const d = diffCalls(before, await storageCalls(kcChild));
      calls.total += d.total;
      for (const [k, v] of Object.entries(d.perMethod)) calls.perMethod[k] = (calls.perMethod[k] ?? 0) + v;
      counted += res.count;
    }
    return res;
  };
  for (const s of subjects) await timed(s, 2000); // warmup
  for (let r = 0; r < rounds; r++) {
    const offset = r % subjects.length;
    const order = [...subjects.slice(offset), ...subjects.slice(0, offset)];
    for (const s of order) runs.get(s.id).push(await timed(s, duration * 1000));
    console.error(`${label}: round ${r + 1}/${rounds} done`);
  }
  const summary = summarizeWorkerRuns(runs);
  for (const [id, rs] of runs) {
    summary[id].cpuRounds = rs.map((x) => x.cpuUsPerReq);
    summary[id].clientCpuShare = Math.max(...rs.map((x) => x.clientCpuShare));
  }
  const perFlow = Object.fromEntries(
    Object.entries(calls.perMethod)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, v / counted]),
  );
  return { ...summary, keycardStorageCallsPerOp: { total: calls.total / counted, perMethod: perFlow } };
}

await waitForQuiet();
const loadBefore = os.loadavg();
const profDir = typeof args['cpu-prof'] === 'string' ? resolve(args['cpu-prof']) : undefined;
const kcServer = await startChild(
  join(BENCH_DIR, 'servers', 'keycard-server.mjs'),
  { users: connections, codeFlow: { redirectUri: REDIRECT_URI }, countStorage: true },
  profDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] } : {},
);
const memServer = args['no-memory']
  ? undefined
  : await startChild(join(BENCH_DIR, 'servers', 'keycard-server.mjs'), {
      users: connections,
      codeFlow: { redirectUri: REDIRECT_URI },
      config: { databaseUrl: 'memory' },
    });
const opServer = await startChild(join(BENCH_DIR, 'servers', 'oidc-provider-server.mjs'), OP);
const kc = kcServer.ready;
const op = opServer.ready;
const results = { config: { rounds, duration, connections, scope: SCOPE, storage: kc.storage } };
const out = [];

try {
  const common = { scope: SCOPE, redirectUri: REDIRECT_URI, agent };
  const keycardSubject = (id, srv) => ({
    id,
    pid: srv.child.pid,
    clientId: srv.ready.webId,
    auth: basicAuth(srv.ready.webId, srv.ready.webSecret),
    authorizeUrl: `${srv.ready.url}/oauth/authorize`,
    tokenUrl: `${srv.ready.url}/oauth/token`,
    extra: {},
    ...common,
  });
  const kcSubject = keycardSubject('keycard', kcServer);
  const memSubject = memServer && keycardSubject(MEMORY_ID, memServer);
  const opSubject = {
    id: 'oidc-provider',
    pid: opServer.child.pid,
    clientId: OP.clientId,
    auth: basicAuth(OP.clientId, OP.clientSecret),
    authorizeUrl: `${op.issuer}/auth`,
    tokenUrl: `${op.issuer}/token`,
    extra: { resource: OP.resource },
    ...common,
  };
  // One signed-in browser per worker: keycard through its sign-in pages' API (one argon2 check
  // each), oidc-provider through its interactions (login + consent, remembered in the grant).
  for (const [s, srv] of [
    [kcSubject, kcServer],
    [memSubject, memServer],
  ]) {
    if (s) s.workers = await Promise.all(srv.ready.users.map((u) => keycardBrowser(s, srv.ready, u)));
  }
  opSubject.workers = [];
  for (let i = 0; i < connections; i++) {
    const { tokens, cookies } = await oidcProviderSignIn(op.issuer, OP, { scope: SCOPE, pkce: true });
    checkTokens('oidc-provider sign-in', tokens, { clientId: OP.clientId });
    opSubject.workers.push({ jar: cookies, rt: tokens.refresh_token });
  }
  const subjects = [kcSubject, ...(memSubject ? [memSubject] : []), opSubject];
  results.flow = await measure('code flow', subjects, flowStep, kcServer.child);
  results.refresh = await measure('refresh', subjects, refreshStep, kcServer.child);
  results.idTokens = Object.fromEntries(
    subjects.map((s) => [s.id, { alg: s.idToken.alg, onRefresh: s.idTokenOnRefresh }]),
  );

  const rows = [];
  for (const [what, res] of [
    ['authorization code flow (authorize + token)', results.flow],
    ['refresh_token of a code-flow session', results.refresh],
  ]) {
    const op = res['oidc-provider'];
    for (const { id } of subjects) {
      const x = res[id];
      const mine = id !== 'oidc-provider';
      // Rate: keycard / oidc-provider; CPU: oidc-provider's per op over keycard's (higher: keycard cheaper).
      if (mine) x.ratio = pairedRatio(x.rpsRounds, op.rpsRounds);
      if (mine) x.cpuRatio = pairedRatio(op.cpuRounds, x.cpuRounds);
      rows.push([
        what,
        id,
        fmtRate(x.rps),
        fmtMs(x.p50),
        fmtMs(x.p99),
        fmtUs(x.cpuUsPerReq),
        `${(x.clientCpuShare * 100).toFixed(0)} %`,
        mine ? fmtRatio(x.ratio) : '',
        mine ? fmtRatio(x.cpuRatio) : '',
      ]);
    }
  }
  const calls = (res) =>
    `${res.keycardStorageCallsPerOp.total.toFixed(1)} (${Object.entries(
      res.keycardStorageCallsPerOp.perMethod,
    )
      .filter(([, v]) => v >= 0.05)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')})`;
  const idt = results.idTokens;
  const sqlite = `keycard: its default ${kc.storage === 'sqlite' ? 'SQLite file (WAL, synchronous NORMAL)' : kc.storage}`;
  out.push(
    `#### Authorization-code flow and refresh: keycard vs oidc-provider (medians of ${rounds} interleaved rounds × ${duration} s, ${connections} closed-loop workers, ratios = median of per-round ratios)`,
    '',
    markdownTable(
      [
        'operation',
        'server',
        'flows or req/s',
        'p50',
        'p99',
        'server CPU per op',
        'load generator CPU (max)',
        'keycard / oidc-provider (rate)',
        'keycard / oidc-provider (1 / CPU)',
      ],
      rows,
    ),
    '',
    `Storage: ${sqlite}${memSubject ? `; ${MEMORY_ID}: \`databaseUrl: 'memory'\`` : ''}; oidc-provider: its in-memory adapter. keycard (SQLite) storage calls per flow: ${calls(results.flow)}; per refresh: ${calls(results.refresh)}.`,
    '',
    `ID tokens: keycard ${idt.keycard.alg}, ${idt.keycard.onRefresh ? 'also' : 'not'} on refresh; oidc-provider ${idt['oidc-provider'].alg}, ${idt['oidc-provider'].onRefresh ? 'also' : 'not'} on refresh.`,
    '',
    `Load average before: ${loadBefore.map((x) => x.toFixed(2)).join(' ')}.`,
    '',
  );
} finally {
  await opServer.stop();
  await memServer?.stop();
  await kcServer.stop();
}

const cmd = `node bench/code-flow.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  [
    '### Authorization-code flow and refresh of its sessions (`bench/code-flow.mjs`)',
    '',
    header(cmd),
    '',
    ...out,
  ].join('\n'),
);
writeJson('code-flow', { command: cmd, results });
