// Child process for bench/guard-http.mjs: one framework, three apps on loopback ports:
// no auth, keycard guard, and the framework's usual JWT middleware (all ES256, same checks).
// Config (argv JSON): { framework, publicJwk, publicPem, jwksUrl, issuer, audience }
import { childMain } from '../lib/child.mjs';
import { loadGuard } from './keycard-guard.mjs';

async function fastifyApps(cfg, guard) {
  const { default: Fastify } = await import('fastify');
  const ports = {};
  const make = async (name, setup) => {
    const app = Fastify({ logger: false });
    await setup(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    ports[name] = app.server.address().port;
  };
  await make('noauth', (app) => {
    app.get('/me', async () => ({ sub: 'anonymous' }));
  });
  await make('peer', async (app) => {
    const { default: fastifyJwt } = await import('@fastify/jwt');
    await app.register(fastifyJwt, {
      secret: { public: cfg.publicPem },
      verify: { algorithms: ['ES256'], allowedIss: cfg.issuer, allowedAud: cfg.audience },
    });
    app.get('/me', {
      preHandler: (req) => req.jwtVerify(),
      handler: async (req) => ({ sub: req.user.sub }),
    });
  });
  if (guard.ok && !guard.missing.fastify) await make('keycard', (app) => guard.fastify(app, cfg));
  return ports;
}

async function expressApps(cfg, guard) {
  const { default: express } = await import('express');
  const ports = {};
  const make = async (name, setup) => {
    const app = express();
    app.disable('x-powered-by');
    await setup(app);
    const server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    ports[name] = server.address().port;
  };
  await make('noauth', (app) => {
    app.get('/me', (_req, res) => res.json({ sub: 'anonymous' }));
  });
  await make('peer', async (app) => {
    const { expressjwt } = await import('express-jwt');
    app.get(
      '/me',
      expressjwt({
        secret: cfg.publicPem,
        algorithms: ['ES256'],
        issuer: cfg.issuer,
        audience: cfg.audience,
      }),
      (req, res) => res.json({ sub: req.auth.sub }),
    );
    app.use((err, _req, res, _next) => res.status(err.status ?? 500).json({ error: err.code ?? 'error' }));
  });
  if (guard.ok && !guard.missing.express) await make('keycard', (app) => guard.express(app, cfg));
  return ports;
}

async function honoApps(cfg, guard) {
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const ports = {};
  const make = async (name, setup) => {
    const app = new Hono();
    await setup(app);
    ports[name] = await new Promise((resolve) => {
      serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    });
  };
  await make('noauth', (app) => {
    app.get('/me', (c) => c.json({ sub: 'anonymous' }));
  });
  await make('peer', async (app) => {
    const { jwt } = await import('hono/jwt');
    // A prepared CryptoKey, so hono does not re-import the key on every request.
    const key = await crypto.subtle.importKey(
      'jwk',
      cfg.publicJwk,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    app.use(
      '/me',
      jwt({ secret: key, alg: 'ES256', verification: { iss: cfg.issuer, aud: cfg.audience, typ: 'at+jwt' } }),
    );
    app.get('/me', (c) => c.json({ sub: c.get('jwtPayload').sub }));
  });
  if (guard.ok && !guard.missing.hono) await make('keycard', (app) => guard.hono(app, cfg));
  return ports;
}

const FRAMEWORKS = { fastify: fastifyApps, express: expressApps, hono: honoApps };

childMain(async (cfg) => {
  const guard = await loadGuard();
  const ports = await FRAMEWORKS[cfg.framework](cfg, guard);
  const skipped = guard.ok ? guard.missing[cfg.framework] : guard.error;
  return { ports, keycardSkipped: skipped };
});
