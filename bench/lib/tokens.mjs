// A stand-in issuer for the guard benches: an ES256 key pair, its JWKS, and access tokens shaped
// like keycard's (RFC 9068 `typ: at+jwt`), signed with node:crypto so the benches need no server.
import crypto from 'node:crypto';
import http from 'node:http';

export const BENCH_ISSUER = 'https://auth.bench.test';
export const BENCH_AUDIENCE = 'bench-api';

/** Creates an ES256 signing key; returns its public JWK, public PEM and a token signer. */
export function makeIssuer(kid = 'bench-es256') {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  const headerSeg = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url');
  const sign = (claims) => {
    const input = `${headerSeg}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const sig = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${sig.toString('base64url')}`;
  };
  return { kid, publicJwk, publicPem: publicKey.export({ format: 'pem', type: 'spki' }), sign };
}

/** Access-token claims for user n (each n gives a distinct token: own sub, jti and sid). */
export function accessClaims(n = 0, lifetime = 3600) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: BENCH_ISSUER,
    sub: `user_${n}`,
    aud: BENCH_AUDIENCE,
    exp: now + lifetime,
    iat: now,
    nbf: now,
    jti: crypto.randomUUID(),
    client_id: 'keycard-web',
    scope: 'openid profile rooms:read',
    sid: `sess_${n}`,
    roles: ['guest'],
    username: `user${n}`,
  };
}

/** Serves `{ keys: [publicJwk] }` at /.well-known/jwks.json on 127.0.0.1 (port 0). */
export async function serveJwks(publicJwks) {
  const body = JSON.stringify({ keys: publicJwks });
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
