import { isGuardError } from '@keycard/guard';
import { gatewayArgsFromValues, type RunningGateway, startGateway } from '@keycard/guard/gateway';
import { CliError, type Command, EXIT, listOption, stringOption, UsageError } from '../framework/command.js';
import { shutdownSignal } from '../util/shutdown.js';

const text = (valueName: string, description: string) => ({
  type: 'string' as const,
  valueName,
  description,
});

/** `keycard gateway`: a token-checking reverse proxy / forward-auth server (see packages/guard/README.md). */
export const gateway: Command = {
  path: ['gateway'],
  summary: 'Token-checking reverse proxy or forward-auth server for backends in any language',
  usage:
    '(--upstream URL | --forward-auth) (--issuer URL | --jwks FILE_OR_URL --iss ISS) --audience A [options]',
  details: [
    'Verifies the bearer token of every request with @keycard/guard (keys from the issuer, revocations',
    'from its feed), removes any inbound X-Keycard-* header and forwards X-Keycard-Sub, -Scope, -Roles,',
    '-Session and -Client to the upstream. Bad tokens get 401/400/403 from the gateway itself; bodies',
    'over --max-body get 413, headers over --max-header 431; a dead upstream 502, a silent one 504.',
    'With --forward-auth every request is an auth check answered 200 (with the identity headers),',
    '401 or 403: for nginx auth_request, Traefik ForwardAuth and Envoy ext_authz.',
    '',
    'Examples:',
    '  keycard gateway --upstream http://127.0.0.1:3000 --issuer http://127.0.0.1:4000 --audience rooms',
    '  keycard gateway --forward-auth --issuer http://127.0.0.1:4000 --audience rooms --port 8081',
    '  keycard gateway --upstream http://127.0.0.1:3000 --jwks jwks.json --iss http://127.0.0.1:4000 --audience rooms',
    '  keycard gateway --upstream http://127.0.0.1:3000 --issuer http://127.0.0.1:4000 --audience rooms \\',
    '    --route "/admin acr=mfa max-age=300"',
  ].join('\n'),
  options: {
    upstream: text('URL', 'Backend to proxy verified requests to'),
    'forward-auth': { type: 'boolean', description: 'No upstream: answer every request as an auth check' },
    'auth-path': text('PATH', 'With --upstream, also answer auth checks at PATH (e.g. /auth)'),
    'health-path': text('PATH', 'Answer health checks at PATH without a token (e.g. /healthz)'),
    issuer: text('URL', 'Issuer: discovery gives the keys and the revocation feed'),
    jwks: text('FILE_OR_URL', 'JWK Set file or URL instead of discovery (needs --iss)'),
    iss: text('ISS', 'Expected iss (default --issuer)'),
    audience: { ...text('AUD', 'Required audience'), multiple: true },
    scope: { ...text('SCOPE', 'Required scope'), multiple: true },
    port: text('PORT', 'Port to listen on (default 8080; 0 = any free port)'),
    host: text('HOST', 'Interface to listen on (default 127.0.0.1)'),
    'max-body': text('BYTES', 'Request body limit (default 10485760)'),
    'max-header': text('BYTES', 'Request header limit (default 16384)'),
    'upstream-timeout-ms': text('MS', 'Upstream timeout in ms (default 30000)'),
    'no-revocation': { type: 'boolean', description: 'Do not subscribe to the revocation feed' },
    'stale-policy': text('POLICY', 'reject | serve once the feed is stale (default reject: 503)'),
    'max-staleness-seconds': text('SECONDS', 'Feed silence before the stale policy applies (default 120)'),
    'trust-proxy': {
      type: 'boolean',
      description: 'Behind your own proxy: keep its X-Forwarded-Proto/Host, append to X-Forwarded-For',
    },
    'public-url': text('URL', 'Origin clients call (DPoP proofs are checked against it)'),
    'dpop-nonce': { type: 'boolean', description: 'Require server nonces in DPoP proofs' },
    'no-dpop': { type: 'boolean', description: 'Refuse the DPoP scheme (bound cards are refused)' },
    'log-refused': { type: 'boolean', description: 'One stderr line per refused request (no token)' },
    route: {
      ...text('SPEC', 'Step-up rule "[METHODS] PATH [acr=mfa|phr|password] [max-age=S]" (RFC 9470)'),
      multiple: true,
    },
  },
  renamed: { timeout: 'upstream-timeout-ms', 'max-staleness': 'max-staleness-seconds' },
  async run(args, io) {
    const flag = (name: string) => stringOption(args, name);
    let running: RunningGateway | undefined;
    const stopped = shutdownSignal(io, 'keycard gateway');
    try {
      const parsed = await gatewayArgsFromValues(
        {
          upstream: flag('upstream'),
          'forward-auth': args.values['forward-auth'] === true,
          'auth-path': flag('auth-path'),
          'health-path': flag('health-path'),
          issuer: flag('issuer'),
          jwks: flag('jwks'),
          iss: flag('iss'),
          audience: listOption(args, 'audience'),
          scope: listOption(args, 'scope'),
          port: flag('port'),
          host: flag('host'),
          'max-body': flag('max-body'),
          'max-header': flag('max-header'),
          'upstream-timeout-ms': flag('upstream-timeout-ms'),
          'no-revocation': args.values['no-revocation'] === true,
          'stale-policy': flag('stale-policy'),
          'max-staleness-seconds': flag('max-staleness-seconds'),
          'trust-proxy': args.values['trust-proxy'] === true,
          'public-url': flag('public-url'),
          'dpop-nonce': args.values['dpop-nonce'] === true,
          'no-dpop': args.values['no-dpop'] === true,
          'log-refused': args.values['log-refused'] === true,
          route: listOption(args, 'route'),
        },
        io.cwd,
      );
      running = await startGateway(parsed, (line) => io.stderr.write(`keycard gateway: ${line}\n`));
      io.stdout.write(
        `keycard gateway listening on ${running.url}\n` +
          `  mode      ${parsed.upstream === undefined ? 'forward-auth (every path)' : `proxy to ${parsed.upstream}`}\n` +
          `  audience  ${listOption(args, 'audience').join(' ')}\nPress Ctrl-C to stop.\n`,
      );
    } catch (error) {
      stopped.cancel();
      await running?.close();
      if (isGuardError(error) && error.code === 'ERR_GUARD_OPTIONS_INVALID')
        throw new UsageError(error.message);
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new CliError(`port ${flag('port') ?? 8080} is in use (try --port)`, EXIT.USAGE);
      }
      if (isGuardError(error)) {
        throw new CliError(
          `${error.message} (${error.code}${error.reason ? `: ${error.reason}` : ''})`,
          EXIT.FAILURE,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    const signal = await stopped.received;
    io.stdout.write(`\n${signal}: shutting down\n`);
    try {
      await running.close();
    } finally {
      stopped.cancel();
    }
    io.stdout.write('stopped\n');
    return EXIT.OK;
  },
};
