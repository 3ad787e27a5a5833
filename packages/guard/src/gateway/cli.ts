import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import type { Guard } from '../core/create-guard.js';
import { createGuard } from '../core/create-guard.js';
import { optionError } from '../errors.js';
import type { GuardOptions, RevocationOptions } from '../types.js';
import type { Gateway } from './create-gateway.js';
import { createGateway } from './create-gateway.js';
import { type GatewayRoute, parseRouteFlag } from './routes.js';

export const GATEWAY_USAGE = `Usage: keycard gateway (--upstream URL | --forward-auth) (--issuer URL | --jwks FILE_OR_URL)
                       --audience A [options]

A token-checking reverse proxy: verifies the bearer token, strips inbound X-Keycard-* headers (and
every header name with an underscore) and forwards X-Keycard-Sub, -Scope, -Roles, -Session, -Client,
-Subject-Type (user | client) and -Actor (token-exchange chain) to the upstream. Answers 401/403 itself.

  --upstream URL        backend to proxy verified requests to
  --forward-auth        no upstream: answer every request as a forward-auth check (nginx auth_request,
                        Traefik ForwardAuth, Envoy ext_authz) with 200/401/403 and identity headers
  --auth-path PATH      with --upstream, also answer forward-auth checks at PATH (e.g. /auth)
  --health-path PATH    answer health checks at PATH without a token (e.g. /healthz)
  --issuer URL          issuer (discovery gives the JWKS and the revocation feed)
  --jwks FILE_OR_URL    a JWK Set file or URL instead of discovery (then --iss is required)
  --iss ISS             expected "iss" (default: --issuer)
  --audience A          required audience (repeatable)
  --scope S             required scope (repeatable)
  --port P              listen port (default 8080)
  --host H              listen address (default 127.0.0.1)
  --max-body BYTES      request body limit (default 10485760)
  --max-header BYTES    request header limit (default 16384)
  --upstream-timeout-ms MS  upstream timeout in ms (default 30000)
  --trust-proxy         behind your own proxy: keep its X-Forwarded-Proto/Host, append to X-Forwarded-For
                        (default: the gateway replaces them); DPoP proofs are then checked against them
  --public-url URL      the origin clients call (e.g. https://rooms.example.com): DPoP proofs' htu is
                        checked against it plus the request path (recommended behind any proxy)
  --dpop-nonce          require server nonces in DPoP proofs (401 use_dpop_nonce + DPoP-Nonce)
  --no-dpop             refuse the DPoP scheme (DPoP-bound cards are then always refused)
  --log-refused         one line on stderr per refused request (method, path, status, code; no token)
  --no-revocation       do not subscribe to the revocation feed
  --stale-policy P      reject | serve once the feed is stale (default reject: answer 503)
  --max-staleness-seconds S  seconds the feed may be out of touch before the stale policy applies
                        (default 120)
  --route SPEC          a step-up rule (repeatable): "[METHODS] PATH [acr=ACR] [max-age=SECONDS]",
                        e.g. --route "/admin acr=mfa max-age=300" or --route "DELETE /rooms acr=phr";
                        ACR is password, mfa, phr or a full urn:keycard:acr:* value. A card too weak or
                        too old gets 401 insufficient_user_authentication (RFC 9470)
`;

export interface GatewayArgs {
  guard: GuardOptions;
  upstream: string | undefined;
  authPath: string | undefined;
  healthPath: string | undefined;
  port: number;
  host: string;
  maxBodyBytes: number;
  maxHeaderBytes: number;
  upstreamTimeoutMs: number;
  trustProxy: boolean;
  logRefused: boolean;
  /** Per-route step-up rules (`--route`). Default none. */
  routes?: GatewayRoute[] | undefined;
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw optionError(name, 'must be a non-negative integer');
  return Number(value);
}

/**
 * Parses `keycard gateway` arguments (reading a --jwks file). Throws ERR_GUARD_OPTIONS_INVALID naming
 * the bad flag.
 * @example
 * const args = await parseGatewayArgs(['--upstream', 'http://127.0.0.1:3000', '--issuer', 'http://127.0.0.1:4000', '--audience', 'rooms']);
 */
export async function parseGatewayArgs(argv: string[], cwd = process.cwd()): Promise<GatewayArgs> {
  refuseRenamedFlags(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]!));
  let values: GatewayFlagValues;
  try {
    values = parse(argv).values;
  } catch (cause) {
    throw optionError('arguments', (cause as Error).message);
  }
  return gatewayArgsFromValues(values, cwd);
}

/** Flag values as node:util parseArgs (or the keycard CLI framework) gives them. */
export interface GatewayFlagValues {
  upstream?: string | undefined;
  'forward-auth'?: boolean | undefined;
  'auth-path'?: string | undefined;
  'health-path'?: string | undefined;
  issuer?: string | undefined;
  jwks?: string | undefined;
  iss?: string | undefined;
  audience?: string[] | undefined;
  scope?: string[] | undefined;
  port?: string | undefined;
  host?: string | undefined;
  'max-body'?: string | undefined;
  'max-header'?: string | undefined;
  'upstream-timeout-ms'?: string | undefined;
  'trust-proxy'?: boolean | undefined;
  'public-url'?: string | undefined;
  'dpop-nonce'?: boolean | undefined;
  'no-dpop'?: boolean | undefined;
  'log-refused'?: boolean | undefined;
  'no-revocation'?: boolean | undefined;
  'stale-policy'?: string | undefined;
  'max-staleness-seconds'?: string | undefined;
  route?: string[] | undefined;
}

/** Flags renamed before 1.0 (units in the name): refused with the new name rather than ignored. */
const RENAMED_FLAGS: Record<string, string> = {
  timeout: '--upstream-timeout-ms',
  'max-staleness': '--max-staleness-seconds',
};

function refuseRenamedFlags(names: Iterable<string>): void {
  for (const name of names) {
    const now = RENAMED_FLAGS[name];
    if (now !== undefined) throw optionError(`--${name}`, `was renamed: use ${now}`);
  }
}

/**
 * Checks parsed flag values and builds the guard and gateway options (reading a --jwks file relative
 * to `cwd`). Throws ERR_GUARD_OPTIONS_INVALID naming the bad flag.
 * @example
 * const args = await gatewayArgsFromValues({ 'forward-auth': true, issuer: 'http://127.0.0.1:4000', audience: ['rooms'] });
 */
export async function gatewayArgsFromValues(
  values: GatewayFlagValues,
  cwd = process.cwd(),
): Promise<GatewayArgs> {
  refuseRenamedFlags(Object.keys(values).filter((k) => (values as Record<string, unknown>)[k] !== undefined));
  if (values.upstream === undefined && !values['forward-auth'])
    throw optionError('--upstream', 'or --forward-auth is required');
  if (values.upstream !== undefined && values['forward-auth'])
    throw optionError('--forward-auth', 'cannot be used with --upstream');
  if (values.issuer === undefined && values.jwks === undefined)
    throw optionError('--issuer', 'or --jwks is required');
  if (values.issuer === undefined && values.iss === undefined)
    throw optionError('--iss', 'is required with --jwks');
  if (!values.audience?.length) throw optionError('--audience', 'is required');
  const stalePolicy = values['stale-policy'];
  if (stalePolicy !== undefined && stalePolicy !== 'serve' && stalePolicy !== 'reject')
    throw optionError('--stale-policy', 'must be serve or reject');
  const maxStaleness = values['max-staleness-seconds'];
  const revocation: RevocationOptions = {
    ...(stalePolicy === undefined ? {} : { stalePolicy }),
    ...(maxStaleness === undefined
      ? {}
      : { maxStalenessSeconds: integer('--max-staleness-seconds', maxStaleness, 120) }),
  };
  const guard: GuardOptions = {
    audience: values.audience,
    ...(values.issuer === undefined ? {} : { issuer: values.issuer }),
    ...(values.iss === undefined ? {} : { tokenIssuer: values.iss }),
    ...(values.scope?.length
      ? { requiredScopes: values.scope.flatMap((s) => s.split(' ')).filter(Boolean) }
      : {}),
    revocation: values['no-revocation'] || values.issuer === undefined ? false : revocation,
  };
  if (values.jwks !== undefined) {
    if (/^https?:\/\//.test(values.jwks)) guard.jwksUri = values.jwks;
    else {
      let text: string;
      try {
        text = await readFile(resolvePath(cwd, values.jwks), 'utf8');
      } catch {
        throw optionError('--jwks', 'names a file that cannot be read');
      }
      try {
        guard.keys = JSON.parse(text) as { keys: unknown[] };
      } catch {
        throw optionError('--jwks', 'file is not JSON');
      }
    }
  }
  // DPoP at the gateway: which URL proofs are checked against, nonces, or no DPoP at all.
  if (values['no-dpop'] && values['dpop-nonce'])
    throw optionError('--dpop-nonce', 'cannot be used with --no-dpop');
  // Step-up rules are checked here, so a bad one stops the start before anything listens.
  const routes = (values.route ?? []).map(parseRouteFlag);
  if (values['public-url'] !== undefined) guard.publicUrl = values['public-url'];
  if (values['trust-proxy']) guard.trustProxy = true;
  if (values['no-dpop']) guard.dpop = false;
  else if (values['dpop-nonce']) guard.dpop = { nonce: true };
  return {
    guard,
    upstream: values.upstream,
    authPath: values['auth-path'],
    healthPath: values['health-path'],
    port: integer('--port', values.port, 8080),
    host: values.host ?? '127.0.0.1',
    maxBodyBytes: integer('--max-body', values['max-body'], 10 * 1024 * 1024),
    maxHeaderBytes: integer('--max-header', values['max-header'], 16 * 1024),
    upstreamTimeoutMs: integer('--upstream-timeout-ms', values['upstream-timeout-ms'], 30_000),
    trustProxy: values['trust-proxy'] ?? false,
    logRefused: values['log-refused'] ?? false,
    routes,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      upstream: { type: 'string' },
      'forward-auth': { type: 'boolean' },
      'auth-path': { type: 'string' },
      'health-path': { type: 'string' },
      issuer: { type: 'string' },
      jwks: { type: 'string' },
      iss: { type: 'string' },
      audience: { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      port: { type: 'string' },
      host: { type: 'string' },
      'max-body': { type: 'string' },
      'max-header': { type: 'string' },
      'upstream-timeout-ms': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'public-url': { type: 'string' },
      'dpop-nonce': { type: 'boolean' },
      'no-dpop': { type: 'boolean' },
      'log-refused': { type: 'boolean' },
      'no-revocation': { type: 'boolean' },
      'stale-policy': { type: 'string' },
      'max-staleness-seconds': { type: 'string' },
      route: { type: 'string', multiple: true },
    },
  });
}

/** A running gateway and its guard. */
export interface RunningGateway {
  url: string;
  guard: Guard;
  gateway: Gateway;
  /** False when the first attempt to reach the issuer failed: requests get 503 until it is back. */
  ready: boolean;
  /** Stops the gateway, then the guard. */
  close(): Promise<void>;
}

/**
 * Starts a gateway from checked arguments: creates the guard and listens at once. While the issuer
 * cannot be reached the gateway answers 503 (and its health check says why); the guard keeps trying
 * and cards are accepted within seconds of the issuer's return. `onError` receives background
 * failures as one line (never a token).
 * @example
 * const running = await startGateway(await parseGatewayArgs(process.argv.slice(3)));
 * process.once('SIGTERM', () => running.close());
 */
export async function startGateway(
  args: GatewayArgs,
  onError: (message: string) => void = () => {},
): Promise<RunningGateway> {
  const guard = createGuard({
    ...args.guard,
    onError: (e) => onError(`${e.code}${e.reason ? `: ${e.reason}` : ''}`),
  });
  // Wait for the first attempt, so a healthy start serves at once; but an issuer that is away at
  // start is an outage to ride out, not a reason to exit.
  const ready = await guard.ready().then(
    () => true,
    (error: unknown) => {
      const e = error as { code?: string; reason?: string };
      onError(
        `issuer not reachable yet (${e.code ?? 'error'}${e.reason ? `: ${e.reason}` : ''}); answering 503 until it is`,
      );
      return false;
    },
  );
  const gateway = createGateway({
    guard,
    upstream: args.upstream,
    authPath: args.authPath,
    healthPath: args.healthPath,
    maxBodyBytes: args.maxBodyBytes,
    maxHeaderBytes: args.maxHeaderBytes,
    upstreamTimeoutMs: args.upstreamTimeoutMs,
    trustProxy: args.trustProxy,
    routes: args.routes,
    ...(args.logRefused ? { onRefused: (line: string) => onError(line.replace(/^keycard: /, '')) } : {}),
  });
  let url: string;
  try {
    url = await gateway.listen(args.port, args.host);
  } catch (error) {
    await gateway.close();
    await guard.close();
    throw error;
  }
  return {
    url,
    guard,
    gateway,
    ready,
    async close() {
      await gateway.close();
      await guard.close();
    },
  };
}

/**
 * `parseGatewayArgs` + `startGateway`.
 * @example
 * const running = await runGateway(['--forward-auth', '--issuer', 'http://127.0.0.1:4000', '--audience', 'rooms']);
 */
export async function runGateway(
  argv: string[],
  onError?: (message: string) => void,
): Promise<RunningGateway> {
  return startGateway(await parseGatewayArgs(argv), onError);
}
