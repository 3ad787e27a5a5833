// Does a JWT really save a round trip? The same Express route behind the keycard guard (cache on and
// off), a server-side session read from Redis per request (express-session + connect-redis), and RFC
// 7662 introspection at the keycard server per request; plus the bare route.
// App child on CPU 0, autocannon and the keycard server on CPU 1, Redis where the OS puts it.
// Usage: node bench/session-vs-jwt.mjs [--rounds 5] [--duration 5] [--connections 50]
import net from 'node:net';
import { join } from 'node:path';
import { pin, runHttpInterleaved, startChild } from './lib/http.mjs';
import { basicAuth, tokenRequest } from './lib/oauth-client.mjs';
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

const args = parseArgs();
const rounds = args.rounds ?? 5;
const duration = args.duration ?? 5;
const connections = args.connections ?? 50;
const REDIS = { host: '127.0.0.1', port: 6379 };
hardTimeout(15 * 60_000, 'session-vs-jwt bench');
pin(process.pid, 1);

const redisUp = await new Promise((resolve) => {
  const sock = net.connect(REDIS, () => {
    sock.end();
    resolve(true);
  });
  sock.on('error', () => resolve(false));
  sock.setTimeout(1000, () => {
    sock.destroy();
    resolve(false);
  });
});
if (!redisUp) {
  console.log(`### Session vs JWT\n\nNot measured: Redis is not reachable at ${REDIS.host}:${REDIS.port}.`);
  process.exit(0);
}

await waitForQuiet();
const kcServer = await startChild(join(BENCH_DIR, 'servers', 'keycard-server.mjs'), { users: 1 }, { cpu: 1 });
const kc = kcServer.ready;
let results;
let appInfo;
try {
  const token = (
    await tokenRequest(
      `${kc.url}/oauth/token`,
      { grant_type: 'client_credentials', scope: 'api:read', audience: kc.audience },
      { authorization: basicAuth(kc.clientId, kc.clientSecret) },
    )
  ).access_token;
  const app = await startChild(join(BENCH_DIR, 'servers', 'session-vs-jwt-server.mjs'), {
    keycardUrl: kc.url,
    audience: kc.audience,
    clientId: kc.clientId,
    clientSecret: kc.clientSecret,
    redisUrl: `redis://${REDIS.host}:${REDIS.port}`,
  });
  appInfo = app.ready;
  try {
    const url = (name) => `http://127.0.0.1:${appInfo.ports[name]}/me`;
    const bearer = { authorization: `Bearer ${token}` };
    const cookie = { cookie: appInfo.sessionCookie };
    const targets = [
      { id: 'noauth', url: url('noauth'), headers: bearer },
      { id: 'keycard', url: url('keycard'), headers: bearer },
      { id: 'nocache', url: url('nocache'), headers: bearer },
      { id: 'session', url: url('session'), headers: cookie },
      { id: 'introspect', url: url('introspect'), headers: bearer },
    ];
    // Each variant must really authenticate: 200 with the identity, 401 without credentials.
    for (const t of targets) {
      const ok = await fetch(t.url, { headers: t.headers });
      const body = await ok.json();
      if (ok.status !== 200 || (t.id !== 'noauth' && body.sub !== 'bench-service')) {
        throw new Error(`${t.id}: ${ok.status} ${JSON.stringify(body)}`);
      }
      if (t.id !== 'noauth') {
        const denied = await fetch(t.url);
        await denied.arrayBuffer();
        if (denied.status !== 401) throw new Error(`${t.id}: ${denied.status} without credentials`);
      }
    }
    results = Object.fromEntries(
      await runHttpInterleaved(targets, {
        cpuPid: app.child.pid,
        rounds,
        duration,
        connections,
        log: (m) => console.error(`session-vs-jwt: ${m}`),
      }),
    );
  } finally {
    await app.stop();
  }
} finally {
  await kcServer.stop();
}

const LABEL = {
  noauth: 'no auth (bare route)',
  keycard: 'keycard guard (verified-token cache on, same token)',
  nocache: 'keycard guard, cache off (signature verified every request)',
  session: 'express-session + connect-redis (Redis GET + touch per request)',
  introspect: 'RFC 7662 introspection per request (keycard server)',
};
const rows = Object.keys(LABEL).map((id) => [
  LABEL[id],
  fmtRate(results[id].rps),
  fmtMs(results[id].p50),
  fmtMs(results[id].p99),
  fmtUs(results[id].cpuUsPerReq),
  fmtRatio(pairedRatio(results[id].rpsRounds, results.noauth.rpsRounds)),
  fmtRatio(pairedRatio(results[id].rpsRounds, results.session.rpsRounds)),
]);
const cmd = `node bench/session-vs-jwt.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
console.log(
  [
    `### Session vs JWT: Express \`GET /me\` (median of ${rounds} interleaved rounds × ${duration} s, ${connections} connections)`,
    '',
    header(cmd),
    '',
    markdownTable(
      ['protection', 'req/s', 'p50', 'p99', 'app CPU/req', 'vs no auth', 'vs Redis session'],
      rows,
    ),
    '',
  ].join('\n'),
);
writeJson('session-vs-jwt', { command: cmd, rounds, duration, connections, results });
