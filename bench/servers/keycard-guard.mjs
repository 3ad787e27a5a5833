// Wires @keycard/guard (built dist/) into each framework for the HTTP benches, or says why it cannot
// (not landed yet, not built, adapter missing).

async function tryImport(spec) {
  try {
    return await import(spec);
  } catch (err) {
    return { importError: err.message };
  }
}

/** One guard per app: remote JWKS from `cfg.jwksUrl`, ES256 only, revocation feed off unless given. */
async function makeGuard(createGuard, cfg) {
  const guard = createGuard({
    issuer: cfg.issuer,
    jwksUri: cfg.jwksUrl,
    audience: cfg.audience,
    algorithms: ['ES256'],
    revocation: cfg.revocation ?? false,
    ...(cfg.cacheSize === undefined ? {} : { cacheSize: cfg.cacheSize }),
    ...(cfg.cacheAdmission === undefined ? {} : { cacheAdmission: cfg.cacheAdmission }),
  });
  await guard.ready();
  return guard;
}

export async function loadGuard() {
  const core = await tryImport('@keycard/guard');
  if (core.importError) return { ok: false, error: `@keycard/guard cannot be imported: ${core.importError}` };
  if (typeof core.createGuard !== 'function')
    return { ok: false, error: '@keycard/guard has no createGuard yet' };
  const [fastifyMod, expressMod, honoMod] = await Promise.all([
    tryImport('@keycard/guard/fastify'),
    tryImport('@keycard/guard/express'),
    tryImport('@keycard/guard/hono'),
  ]);
  const missing = (mod, name) =>
    mod.importError ? `@keycard/guard/${name} adapter not available` : undefined;
  return {
    ok: true,
    core,
    missing: {
      fastify: missing(fastifyMod, 'fastify'),
      express: missing(expressMod, 'express'),
      hono: missing(honoMod, 'hono'),
    },
    makeGuard: (cfg) => makeGuard(core.createGuard, cfg),
    async fastify(app, cfg) {
      const guard = await makeGuard(core.createGuard, cfg);
      app.get('/me', { onRequest: fastifyMod.authenticate(guard) }, async (req) => ({ sub: req.auth.sub }));
      app.addHook('onClose', () => guard.close());
      return guard;
    },
    async express(app, cfg) {
      const guard = await makeGuard(core.createGuard, cfg);
      app.get('/me', expressMod.authenticate(guard), (req, res) => res.json({ sub: req.auth.sub }));
      return guard;
    },
    async hono(app, cfg) {
      const guard = await makeGuard(core.createGuard, cfg);
      const middleware = honoMod.authenticate ?? honoMod.keycard;
      app.use('/me', middleware(guard));
      app.get('/me', (c) => c.json({ sub: c.get('auth').sub }));
      return guard;
    },
  };
}
