// Child process for bench/session-vs-jwt.mjs: the same Express route `GET /me` behind
//   noauth      nothing
//   keycard     keycard guard (discovery, JWKS and revocation feed from the real keycard server)
//   nocache     keycard guard with its verified-token cache off (every request verifies a signature)
//   session     express-session + connect-redis: the session read from Redis on every request
//   introspect  RFC 7662 introspection at the keycard server on every request
// Config (argv JSON): { keycardUrl, audience, clientId, clientSecret, redisUrl }
import { childMain } from '../lib/child.mjs';

const SESSION_SECRET = 'bench-session-secret-0123456789abcdef';

childMain(async (cfg) => {
  const { default: express } = await import('express');
  const { createGuard } = await import('@keycard/guard');
  const { authenticate } = await import('@keycard/guard/express');
  const ports = {};
  const closers = [];
  process.on('exit', () => {
    for (const c of closers) c();
  });
  const make = async (name, setup) => {
    const app = express();
    app.disable('x-powered-by');
    await setup(app);
    const server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    ports[name] = server.address().port;
  };

  await make('noauth', (app) => app.get('/me', (_req, res) => res.json({ sub: 'anonymous' })));

  for (const [name, cacheSize] of [
    ['keycard', undefined],
    ['nocache', 0],
  ]) {
    const guard = createGuard({
      issuer: cfg.keycardUrl,
      audience: cfg.audience,
      ...(cacheSize === 0 ? { cacheSize } : {}),
    });
    await guard.ready();
    closers.push(() => guard.close());
    await make(name, (app) =>
      app.get('/me', authenticate(guard), (req, res) => res.json({ sub: req.auth.sub })),
    );
  }

  // Server-side sessions in Redis, as express-session is usually set up (touch on every request).
  const { createClient } = await import('redis');
  const { RedisStore } = await import('connect-redis');
  const { default: session } = await import('express-session');
  const { sign } = await import('cookie-signature');
  const redis = createClient({ url: cfg.redisUrl });
  await redis.connect();
  closers.push(() => redis.destroy?.());
  const store = new RedisStore({ client: redis, prefix: 'keycard-bench:sess:' });
  const sid = `bench-${process.pid}`;
  await new Promise((resolve, reject) =>
    store.set(
      sid,
      {
        cookie: {
          originalMaxAge: 900_000,
          expires: new Date(Date.now() + 900_000),
          httpOnly: true,
          path: '/',
        },
        user: { sub: 'bench-service' },
      },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
  await make('session', (app) => {
    app.use(
      session({
        store,
        secret: SESSION_SECRET,
        name: 'sid',
        resave: false,
        saveUninitialized: false,
        cookie: { httpOnly: true, maxAge: 900_000 },
      }),
    );
    app.get('/me', (req, res) => {
      if (!req.session.user) return res.status(401).json({ error: 'no session' });
      res.json({ sub: req.session.user.sub });
    });
  });

  // Introspection per request (client_secret_basic), over a keep-alive connection pool (fetch).
  const basic = `Basic ${Buffer.from(`${cfg.clientId}:${cfg.clientSecret}`).toString('base64')}`;
  const introspectUrl = `${cfg.keycardUrl}/oauth/introspect`;
  await make('introspect', (app) => {
    app.get('/me', async (req, res, next) => {
      try {
        const h = req.headers.authorization ?? '';
        if (!h.startsWith('Bearer ')) return res.status(401).json({ error: 'no token' });
        const r = await fetch(introspectUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
          body: new URLSearchParams({ token: h.slice(7), token_type_hint: 'access_token' }).toString(),
        });
        const info = await r.json();
        if (r.status !== 200 || info.active !== true) return res.status(401).json({ error: 'inactive' });
        res.json({ sub: info.sub });
      } catch (err) {
        next(err);
      }
    });
  });

  return {
    ports,
    sessionCookie: `sid=${encodeURIComponent(`s:${sign(sid, SESSION_SECRET)}`)}`,
    sessionKey: `keycard-bench:sess:${sid}`,
  };
});
