/**
 * What every door reads from its environment. A real service would read the same three values:
 * where the auth server is, which audience it is, and where to listen.
 */
export interface DoorEnv {
  /** KEYCARD_ISSUER: the auth server's URL (discovery, JWKS and the revocation feed are found from it). */
  issuer: string;
  /** KEYCARD_AUDIENCE: this service's name in the token's `aud`. */
  audience: string;
  /** PORT (0 picks a free port). */
  port: number;
  /** HOST, default 127.0.0.1. */
  host: string;
  /** KEYCARD_CORS_ORIGIN: comma-separated browser origins allowed to call the door (the web app's). */
  corsOrigins: string[];
}

/**
 * Reads the door's settings, failing with a message that names the variable.
 *
 * @example
 * ```ts
 * const env = readDoorEnv({ audience: 'rooms', port: 4001 });
 * ```
 */
export function readDoorEnv(defaults: { audience: string; port: number }): DoorEnv {
  const issuer = process.env.KEYCARD_ISSUER;
  if (issuer === undefined || issuer === '') {
    throw new Error('KEYCARD_ISSUER is not set (the auth server URL, e.g. http://localhost:4000)');
  }
  const rawPort = process.env.PORT ?? String(defaults.port);
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65_535) throw new Error(`PORT is not a port number: ${rawPort}`);
  return {
    issuer,
    audience: process.env.KEYCARD_AUDIENCE || defaults.audience,
    port,
    host: process.env.HOST || '127.0.0.1',
    corsOrigins: (process.env.KEYCARD_CORS_ORIGIN ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
