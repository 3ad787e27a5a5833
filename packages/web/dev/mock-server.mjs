// Dev-only stand-in for the keycard server and the door services, for manual checks of the
// built web app (not shipped, not a test). Serves packages/web/dist under the strict CSP the
// real server uses, mocks the API with unsigned tokens, and runs fake doors with CORS.
//   node packages/web/dev/mock-server.mjs [port]   (doors on port + 1)
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.argv[2] ?? process.env.PORT ?? 4300);
const DOOR_PORT = PORT + 1;
const HOST = '127.0.0.1';
const ORIGIN = `http://${HOST}:${PORT}`;
const DOOR_ORIGIN = `http://${HOST}:${DOOR_PORT}`;
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const TOKEN_TTL = Number(process.env.MOCK_TOKEN_TTL ?? 120);
const CSP = `default-src 'self'; connect-src 'self' ${DOOR_ORIGIN}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'`;

const users = [
  {
    id: 'u-alice',
    username: 'alice',
    password: 'alice',
    roles: ['guest'],
    disabled: false,
    claims: { room: '101' },
  },
  {
    id: 'u-bob',
    username: 'bob',
    password: 'bob',
    roles: ['guest'],
    disabled: false,
    claims: { room: '102' },
  },
  { id: 'u-carol', username: 'carol', password: 'carol', roles: ['manager'], disabled: false, claims: {} },
];
const scopesFor = (u) =>
  u.roles.includes('manager') ? 'rooms:open pool garage office admin' : 'rooms:open pool garage';
// Kept in milliseconds here; every answer speaks epoch seconds like the real server (@keycard/protocol).
const seconds = (ms) => (ms === null || ms === undefined ? null : Math.floor(ms / 1000));
const STARTED = seconds(Date.now());
const sessions = new Map(); // sid -> { id, userId, rt, createdAt, lastUsedAt, ip, userAgent, revoked }
// userId -> what each user allowed third-party apps (GET/DELETE /api/account/consents); one sample app.
const consents = new Map();
const sampleConsent = () => ({
  clientId: 'travel-desk',
  clientName: 'Travel Desk',
  scopes: ['openid', 'profile', 'rooms:read'],
  audiences: ['rooms'],
  createdAt: seconds(Date.now() - 86_400_000),
  updatedAt: seconds(Date.now() - 86_400_000),
});
const audit = [];
let keys = [
  {
    kid: 'kid-current-aaaaaaaaaaaa',
    alg: 'ES256',
    state: 'current',
    createdAt: Date.now() - 86_400_000,
    activatedAt: Date.now() - 86_000_000,
  },
  { kid: 'kid-next-bbbbbbbbbbbbbbb', alg: 'ES256', state: 'next', createdAt: Date.now() - 3_600_000 },
];
const clients = [
  {
    id: 'keycard-web',
    name: 'keycard web',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token', 'authorization_code'],
    audiences: ['rooms', 'amenities', 'office'],
    scopes: [],
    multiAudience: false,
    requireDpop: true,
    tokenExchange: [],
    hasSecret: false,
    redirectUris: [`${ORIGIN}/`],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    jwks: null,
    createdAt: STARTED,
  },
];
const audiences = [
  { id: 'rooms', name: 'Rooms', scopes: ['rooms:open'], uri: null, createdAt: STARTED },
  { id: 'amenities', name: 'Amenities', scopes: ['pool', 'garage'], uri: null, createdAt: STARTED },
  { id: 'office', name: 'Office', scopes: ['office'], uri: null, createdAt: STARTED },
];
const roles = [
  { name: 'guest', scopes: ['rooms:open', 'pool', 'garage'], createdAt: STARTED },
  { name: 'manager', scopes: ['rooms:open', 'pool', 'garage', 'office', 'admin'], createdAt: STARTED },
];
const attempts = new Map(); // username -> failures (for the 429 path)
const codes = new Map(); // authorization code -> user id (the web app's sign-in; PKCE and DPoP unchecked)
let failedLogins = 0;

const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const currentKid = () => keys.find((k) => k.state === 'current')?.kid;
function issue(user, sid) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: ORIGIN,
    sub: user.id,
    aud: ['rooms', 'amenities', 'office'],
    exp: now + TOKEN_TTL,
    iat: now,
    nbf: now,
    jti: randomBytes(8).toString('hex'),
    client_id: 'keycard-web',
    scope: scopesFor(user),
    sid,
    roles: user.roles,
    username: user.username,
    ...user.claims,
  };
  return `${b64({ alg: 'ES256', typ: 'at+jwt', kid: currentKid() })}.${b64(payload)}.mock-signature`;
}
function decode(token) {
  try {
    const [h, p, s] = String(token).split('.');
    return {
      header: JSON.parse(Buffer.from(h, 'base64url')),
      payload: JSON.parse(Buffer.from(p, 'base64url')),
      sig: s,
    };
  } catch {
    return undefined;
  }
}
function cookies(req) {
  return Object.fromEntries(
    (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .filter((p) => p.length === 2),
  );
}
function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
const fail = (res, status, code, message, headers) =>
  send(res, status, { error: { code, message } }, headers);
async function readBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}
function bearer(req) {
  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const d = decode(token);
  if (!d || d.payload.exp < Date.now() / 1000) return undefined;
  const s = sessions.get(d.payload.sid);
  return s && !s.revoked ? { ...d, session: s, user: users.find((u) => u.id === d.payload.sub) } : undefined;
}
function tokenResponse(res, user, session) {
  session.rt = randomBytes(16).toString('hex');
  const csrf = randomBytes(16).toString('hex');
  const body = {
    access_token: issue(user, session.id),
    token_type: 'Bearer',
    expires_in: TOKEN_TTL,
    scope: scopesFor(user),
    session_id: session.id,
    user: { id: user.id, username: user.username, roles: user.roles },
  };
  send(res, 200, body, {
    'Set-Cookie': [
      `keycard_rt=${session.rt}; HttpOnly; Secure; SameSite=Strict; Path=/api`,
      `keycard_csrf=${csrf}; Secure; SameSite=Strict; Path=/`,
    ],
  });
}
const publicSession = (s, current) => ({
  id: s.id,
  clientId: 'keycard-web',
  createdAt: seconds(s.createdAt),
  lastUsedAt: seconds(s.lastUsedAt),
  expiresAt: seconds(s.createdAt + 86_400_000),
  ip: s.ip,
  userAgent: s.userAgent,
  current,
  offline: false,
});
const adminSession = (s) => {
  const { current: _, offline: __, ...rest } = publicSession(s, false);
  const user = users.find((u) => u.id === s.userId);
  return {
    ...rest,
    userId: s.userId,
    username: user?.username ?? null,
    audiences: ['keycard'],
    scopes: [],
    dpopBound: false,
  };
};
const wireUser = ({ password: _, ...u }) => ({ createdAt: STARTED, updatedAt: STARTED, ...u });
const wireKey = (k) => ({
  kid: k.kid,
  alg: k.alg,
  state: k.state,
  createdAt: seconds(k.createdAt),
  activatedAt: seconds(k.activatedAt),
  retiredAt: seconds(k.retiredAt),
  removeAfter: seconds(k.removeAfter),
});
const wireAudit = (e) => ({ ip: null, userAgent: null, ...e, at: seconds(e.at) });

async function api(req, res, url) {
  const path = url.pathname;
  const method = req.method;
  if (path === '/api/ui-config') {
    return send(res, 200, {
      issuer: ORIGIN,
      doors: [
        {
          id: 'room-101',
          name: 'Room 101',
          url: `${DOOR_ORIGIN}/rooms/101`,
          audience: 'rooms',
          description: "Alice's room (rooms service, Express)",
        },
        {
          id: 'room-102',
          name: 'Room 102',
          url: `${DOOR_ORIGIN}/rooms/102`,
          audience: 'rooms',
          description: "Bob's room",
        },
        {
          id: 'pool',
          name: 'Pool',
          url: `${DOOR_ORIGIN}/amenities/pool`,
          audience: 'amenities',
          description: 'Amenities service (Fastify), scope pool',
        },
        {
          id: 'garage',
          name: 'Garage',
          url: `${DOOR_ORIGIN}/amenities/garage`,
          audience: 'amenities',
          description: 'Scope garage',
        },
        {
          id: 'office',
          name: "Manager's office",
          url: `${DOOR_ORIGIN}/office`,
          audience: 'office',
          description: 'Office service (Hono), manager role',
        },
      ],
    });
  }
  // The sign-in pages of the code flow, for the web app only (`/oauth/authorize` sends the request
  // along unsealed: `i` is its query in base64url).
  if (path === '/api/authorize/details' && method === 'POST') {
    return send(res, 200, {
      client: { id: 'keycard-web', name: 'keycard web', firstParty: true },
      scopes: [],
      audiences: audiences.map((a) => ({ id: a.id, name: a.name })),
      user: null,
      step: 'login',
      expiresAt: seconds(Date.now() + 900_000),
    });
  }
  if (path === '/api/authorize/login' && method === 'POST') {
    const body = await readBody(req);
    const request = new URLSearchParams(Buffer.from(String(body.interaction), 'base64url').toString());
    const user = users.find(
      (u) => u.username === body.username && u.password === body.password && !u.disabled,
    );
    if (!user) return fail(res, 401, 'ERR_INVALID_CREDENTIALS', 'Invalid username or password');
    const code = randomBytes(32).toString('base64url');
    codes.set(code, user.id);
    const answer = new URLSearchParams({ code, state: request.get('state') ?? '', iss: ORIGIN });
    return send(res, 200, { redirect: `${request.get('redirect_uri')}?${answer}` });
  }
  if (path === '/api/login/code' && method === 'POST') {
    const body = await readBody(req);
    const user = users.find((u) => u.id === codes.get(body.code));
    codes.delete(body.code);
    if (!user) return fail(res, 400, 'ERR_INVALID_GRANT', 'The authorization code is invalid');
    const session = {
      id: `s-${randomBytes(4).toString('hex')}`,
      userId: user.id,
      createdAt: Date.now(),
      lastUsedAt: Date.now(),
      ip: req.socket.remoteAddress,
      userAgent: req.headers['user-agent'] ?? null,
      revoked: false,
    };
    sessions.set(session.id, session);
    return tokenResponse(res, user, session);
  }
  if (path === '/api/login' && method === 'POST') {
    const body = await readBody(req);
    if (failedLogins >= 5)
      return fail(res, 429, 'ERR_RATE_LIMITED', 'Too many attempts', { 'Retry-After': '12' });
    const user = users.find(
      (u) => u.username === body.username && u.password === body.password && !u.disabled,
    );
    if (!user) {
      failedLogins++;
      attempts.set(body.username, (attempts.get(body.username) ?? 0) + 1);
      return fail(res, 401, 'ERR_INVALID_CREDENTIALS', 'Invalid username or password');
    }
    failedLogins = 0;
    const session = {
      id: `s-${randomBytes(4).toString('hex')}`,
      userId: user.id,
      createdAt: Date.now(),
      lastUsedAt: Date.now(),
      ip: req.socket.remoteAddress,
      userAgent: req.headers['user-agent'] ?? null,
      revoked: false,
    };
    sessions.set(session.id, session);
    audit.unshift({
      id: audit.length + 1,
      at: Date.now(),
      type: 'login.success',
      actor: user.id,
      subject: session.id,
      ip: session.ip,
      detail: {},
    });
    return tokenResponse(res, user, session);
  }
  if (path === '/api/refresh' && method === 'POST') {
    if (process.env.MOCK_LOG) console.log('refresh', new Date().toISOString());
    const c = cookies(req);
    if (!c.keycard_csrf || req.headers['x-csrf-token'] !== c.keycard_csrf)
      return fail(res, 403, 'ERR_CSRF', 'CSRF token missing or wrong');
    const session = [...sessions.values()].find((s) => s.rt === c.keycard_rt && !s.revoked);
    if (!session) return fail(res, 401, 'ERR_INVALID_GRANT', 'Refresh token invalid');
    session.lastUsedAt = Date.now();
    return tokenResponse(
      res,
      users.find((u) => u.id === session.userId),
      session,
    );
  }
  if (path === '/api/logout' && method === 'POST') {
    const c = cookies(req);
    const session = [...sessions.values()].find((s) => s.rt === c.keycard_rt) ?? bearer(req)?.session;
    if (session) session.revoked = true;
    return send(res, 204);
  }
  if (path === '/api/inspect' && method === 'POST') {
    const body = await readBody(req);
    const d = decode(body.token);
    const now = Date.now() / 1000;
    if (!d)
      return send(res, 200, {
        header: null,
        payload: null,
        valid: false,
        checks: [{ name: 'format', ok: false, code: 'ERR_JWS_INVALID', message: 'Not a JWS compact token' }],
      });
    const checks = [
      { name: 'format', ok: true, message: 'three parts, JSON header and claims' },
      {
        name: 'alg',
        ok: d.header.alg === 'ES256',
        message: `alg ${d.header.alg}`,
        ...(d.header.alg === 'ES256' ? {} : { code: 'ERR_JWS_ALG_NOT_ALLOWED' }),
      },
      {
        name: 'signature',
        ok: d.sig === 'mock-signature',
        message:
          d.sig === 'mock-signature' ? 'verified with the current key' : 'signature does not match any key',
        ...(d.sig === 'mock-signature' ? {} : { code: 'ERR_JWS_SIGNATURE_INVALID' }),
      },
      { name: 'typ', ok: d.header.typ === 'at+jwt', message: 'at+jwt' },
      { name: 'iss', ok: d.payload.iss === ORIGIN, message: d.payload.iss },
      { name: 'aud', ok: true, message: 'known audiences' },
      {
        name: 'exp',
        ok: d.payload.exp > now,
        message: d.payload.exp > now ? 'not expired' : 'expired',
        ...(d.payload.exp > now ? {} : { code: 'ERR_JWT_EXPIRED' }),
      },
      { name: 'nbf', ok: true, message: 'ok' },
      { name: 'iat', ok: true, message: 'ok' },
      {
        name: 'revoked',
        ok: !sessions.get(d.payload.sid)?.revoked,
        message: sessions.get(d.payload.sid)?.revoked ? 'session revoked' : 'not revoked',
        ...(sessions.get(d.payload.sid)?.revoked ? { code: 'ERR_TOKEN_REVOKED' } : {}),
      },
    ];
    return send(res, 200, { header: d.header, payload: d.payload, valid: checks.every((c) => c.ok), checks });
  }
  const auth = bearer(req);
  if (!auth)
    return fail(res, 401, 'ERR_TOKEN_INVALID', 'Missing or invalid access token', {
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    });
  auth.session.lastUsedAt = Date.now();
  if (path === '/api/sessions') {
    return send(res, 200, {
      sessions: [...sessions.values()]
        .filter((s) => s.userId === auth.user.id && !s.revoked)
        .map((s) => publicSession(s, s.id === auth.session.id)),
    });
  }
  if (path === '/api/account/consents' && method === 'GET') {
    if (!consents.has(auth.user.id)) consents.set(auth.user.id, [sampleConsent()]);
    return send(res, 200, { consents: consents.get(auth.user.id) });
  }
  const consentMatch = path.match(/^\/api\/account\/consents\/([^/]+)$/);
  if (consentMatch && method === 'DELETE') {
    const id = decodeURIComponent(consentMatch[1]);
    const mine = consents.get(auth.user.id) ?? [];
    if (!mine.some((c) => c.clientId === id))
      return fail(res, 404, 'ERR_CONSENT_NOT_FOUND', 'No such consent');
    consents.set(
      auth.user.id,
      mine.filter((c) => c.clientId !== id),
    );
    return send(res, 204);
  }
  const sessionMatch = path.match(/^\/api\/(admin\/)?sessions\/([^/]+)$/);
  if (sessionMatch && method === 'DELETE') {
    const s = sessions.get(decodeURIComponent(sessionMatch[2]));
    if (s) s.revoked = true;
    return send(res, 204);
  }
  if (path === '/api/logout-all' && method === 'POST') {
    for (const s of sessions.values()) if (s.userId === auth.user.id) s.revoked = true;
    return send(res, 204);
  }
  if (path === '/api/password' && method === 'POST') {
    const body = await readBody(req);
    if (body.currentPassword !== auth.user.password)
      return fail(res, 401, 'ERR_INVALID_CREDENTIALS', 'Current password is wrong');
    auth.user.password = body.newPassword;
    return send(res, 204);
  }
  if (!path.startsWith('/api/admin/')) return fail(res, 404, 'ERR_NOT_FOUND', 'Not found');
  if (!auth.payload.scope.split(' ').includes('admin'))
    return fail(res, 403, 'ERR_FORBIDDEN', 'Needs the admin scope');
  const body = method === 'GET' || method === 'DELETE' ? {} : await readBody(req);
  if (path === '/api/admin/users' && method === 'GET')
    return send(res, 200, { users: users.map(wireUser), next: null });
  if (path === '/api/admin/users' && method === 'POST') {
    const user = {
      id: `u-${randomBytes(3).toString('hex')}`,
      username: body.username,
      password: body.password,
      roles: body.roles ?? [],
      disabled: false,
      claims: body.claims ?? {},
      createdAt: seconds(Date.now()),
      updatedAt: seconds(Date.now()),
    };
    users.push(user);
    return send(res, 201, wireUser(user));
  }
  const userMatch = path.match(/^\/api\/admin\/users\/([^/]+)$/);
  if (userMatch && method === 'PATCH') {
    const user = users.find((u) => u.id === decodeURIComponent(userMatch[1]));
    if (!user) return fail(res, 404, 'ERR_USER_NOT_FOUND', 'No such user');
    Object.assign(
      user,
      Object.fromEntries(Object.entries(body).filter(([k]) => ['roles', 'disabled', 'claims'].includes(k))),
    );
    user.updatedAt = seconds(Date.now());
    return send(res, 200, wireUser(user));
  }
  if (path === '/api/admin/clients' && method === 'GET') return send(res, 200, { clients, next: null });
  if (path === '/api/admin/clients' && method === 'POST') {
    const client = {
      name: body.id,
      firstParty: false,
      audiences: [],
      scopes: [],
      multiAudience: false,
      requireDpop: false,
      tokenExchange: [],
      redirectUris: [],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      jwks: null,
      ...body,
      hasSecret: body.type === 'confidential' && body.secret !== false,
      createdAt: seconds(Date.now()),
    };
    delete client.secret;
    clients.push(client);
    const secret = client.hasSecret ? { secret: randomBytes(24).toString('base64url') } : {};
    return send(res, 201, { ...client, ...secret });
  }
  if (path === '/api/admin/audiences' && method === 'GET') return send(res, 200, { audiences, next: null });
  if (path === '/api/admin/audiences' && method === 'POST') {
    const audience = { name: body.id, scopes: [], uri: null, ...body, createdAt: seconds(Date.now()) };
    audiences.splice(audiences.findIndex((a) => a.id === body.id) >>> 0, 1, audience);
    return send(res, 201, audience);
  }
  if (path === '/api/admin/roles' && method === 'GET') return send(res, 200, { roles, next: null });
  if (path === '/api/admin/keys' && method === 'GET') return send(res, 200, { keys: keys.map(wireKey) });
  if (path === '/api/admin/keys/rotate' && method === 'POST') {
    const now = Date.now();
    const retired = keys.find((k) => k.state === 'current')?.kid ?? null;
    keys = keys.map((k) =>
      k.state === 'current'
        ? { ...k, state: 'retired', retiredAt: now, removeAfter: now + 900_000 }
        : k.state === 'next'
          ? { ...k, state: 'current', activatedAt: now }
          : k,
    );
    keys.push({ kid: `kid-${randomBytes(8).toString('hex')}`, alg: 'ES256', state: 'next', createdAt: now });
    return send(res, 200, { current: currentKid(), retired, next: keys.at(-1).kid });
  }
  if (path === '/api/admin/sessions')
    return send(res, 200, {
      sessions: [...sessions.values()].filter((s) => !s.revoked).map(adminSession),
      next: null,
    });
  if (path === '/api/admin/audit')
    return send(res, 200, {
      events: audit
        .filter((e) => !url.searchParams.get('type') || e.type.startsWith(url.searchParams.get('type')))
        // `since` is epoch seconds, inclusive.
        .filter(
          (e) => !url.searchParams.get('since') || seconds(e.at) >= Number(url.searchParams.get('since')),
        )
        .map(wireAudit),
      next: null,
    });
  return fail(res, 404, 'ERR_NOT_FOUND', 'Not found');
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};
async function serveStatic(res, pathname) {
  const file = normalize(join(DIST, decodeURIComponent(pathname)));
  let target = file.startsWith(DIST) && extname(file) ? file : join(DIST, 'index.html');
  let data;
  try {
    data = await readFile(target);
  } catch {
    target = join(DIST, 'index.html');
    data = await readFile(target);
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream',
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(data);
}

createServer((req, res) => {
  const url = new URL(req.url, ORIGIN);
  if (url.pathname === '/oauth/authorize') {
    res.writeHead(303, {
      Location: `/#/authorize?i=${Buffer.from(url.search.slice(1)).toString('base64url')}`,
    });
    return res.end();
  }
  const handle = url.pathname.startsWith('/api/') ? api(req, res, url) : serveStatic(res, url.pathname);
  handle.catch((err) => fail(res, 500, 'ERR_INTERNAL', String(err)));
}).listen(PORT, HOST, () => console.log(`mock keycard at ${ORIGIN} (doors at ${DOOR_ORIGIN})`));

// The doors: verify nothing cryptographically (mock), but check expiry, revocation and claims.
createServer((req, res) => {
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': 'Authorization, Accept, DPoP',
    'Access-Control-Max-Age': '600',
  };
  if (req.method === 'OPTIONS') return send(res, 204, undefined, cors);
  const d = decode((req.headers.authorization ?? '').replace(/^Bearer /, ''));
  const deny = (status, code, message) => fail(res, status, code, message, cors);
  if (!d) return deny(401, 'ERR_TOKEN_MISSING', 'No card');
  if (d.payload.exp < Date.now() / 1000) return deny(401, 'ERR_JWT_EXPIRED', 'The card has expired');
  if (sessions.get(d.payload.sid)?.revoked)
    return deny(401, 'ERR_TOKEN_REVOKED', 'The card was revoked (checked out)');
  const scopes = d.payload.scope.split(' ');
  const path = req.url;
  const room = path.match(/^\/rooms\/(\d+)$/)?.[1];
  if (room && String(d.payload.room) !== room) return deny(403, 'ERR_NOT_OWNER', `Room ${room} is not yours`);
  if (path.startsWith('/amenities/') && !scopes.includes(path.split('/')[2]))
    return deny(403, 'ERR_INSUFFICIENT_SCOPE', `Needs scope ${path.split('/')[2]}`);
  if (path === '/office' && !d.payload.roles?.includes('manager'))
    return deny(403, 'ERR_FORBIDDEN_ROLE', 'Managers only');
  return send(
    res,
    200,
    { door: path, opened: true, for: d.payload.username, at: new Date().toISOString() },
    cors,
  );
}).listen(DOOR_PORT, HOST);
