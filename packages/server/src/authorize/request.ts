import { ACR_VALUES } from '@keycard/protocol';
import { clientRedirectUriMatches } from '../clients/redirect-uri.js';
import { parseScope } from '../tokens/index.js';
import { isS256Challenge } from './pkce.js';

/**
 * Reads an authorization request (RFC 6749 §4.1.1 with RFC 7636 PKCE and OpenID Connect Core
 * §3.1.2.1) and decides where its answer may go. RFC 6749 §4.1.2.1: while the client or the
 * redirect URI is unknown, missing, repeated or not registered, the answer is an error page at the
 * server and never a redirect (an open redirector otherwise); once both are known, every other
 * error goes back to the client's redirect URI with `state`.
 */

/** What the parser needs to know of a client. */
export interface AuthorizeClient {
  id: string;
  redirectUris: readonly string[];
  grants: readonly string[];
}

/** A checked authorization request, ready for sign-in and consent. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string;
  nonce: string | undefined;
  /** OIDC `prompt`: none, or any of login and consent. */
  prompt: Set<'none' | 'login' | 'consent'>;
  /** OIDC `max_age` in seconds, when given. */
  maxAgeSeconds: number | undefined;
  loginHint: string | undefined;
  /** RFC 9449 §10 `dpop_jkt`: the token request's DPoP proof must be of the key with this thumbprint. */
  dpopJkt: string | undefined;
  /** RFC 8707 `resource` values (audience ids or registered resource URIs), in order; may be empty. */
  resources: string[];
  /**
   * OIDC `acr_values` that keycard knows (`ACR_VALUES`), in the request's order, each once: every
   * one is enforced as essential (the sign-in must reach the weakest of them). Unknown values are
   * dropped: they ask for nothing keycard can do.
   */
  acrValues: string[];
}

/** The outcome: a request, an error for the client's redirect URI, or an error page here. */
export type AuthorizeParse =
  | { kind: 'ok'; request: AuthorizationRequest }
  | {
      kind: 'redirect-error';
      redirectUri: string;
      state: string | undefined;
      error: string;
      description: string;
    }
  | { kind: 'page-error'; error: 'invalid_request' | 'invalid_client'; description: string };

/** Longest value accepted per parameter; a longer one is an invalid request, not a truncated one. */
export const MAX_LENGTH = {
  state: 1024,
  nonce: 512,
  login_hint: 256,
  acr_values: 1024,
  scope: 2048,
  resource: 2048,
} as const satisfies Record<string, number>;
/** RFC 8707 §2: `resource` may repeat; every other parameter may be sent once (RFC 6749 §3.1). */
const REPEATABLE = new Set(['resource']);
/** Most `resource` values one request may name. */
export const MAX_RESOURCES = 10;
/** An RFC 7638 SHA-256 JWK thumbprint, base64url without padding. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
const PROMPTS = new Set(['none', 'login', 'consent']);
/** One `acr_values` value: visible ASCII but `"` and `\` (the characters of a scope token). */
const ACR_VALUE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/**
 * Parameters an error may name. An error description never repeats what the request sent (an
 * unknown name, a value): a crafted link would otherwise put its own words on the client's error
 * page, and RFC 6749 §4.1.2.1 allows only printable ASCII without `"` or `\` there.
 */
const KNOWN = new Set([
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'login_hint',
  'code_challenge',
  'code_challenge_method',
  'request',
  'request_uri',
  'dpop_jkt',
  'resource',
  'acr_values',
]);
/** The longest `max_age` taken (ten years); OIDC gives no bound, a number must fit in one. */
export const MAX_AGE_LIMIT = 10 * 365 * 24 * 3600;

/**
 * Parses the query of `GET /oauth/authorize` (or the form of a POST). `params` is every value of
 * every name, so a repeated parameter is seen (RFC 6749 §3.1: none may be sent twice).
 *
 * @example
 * ```ts
 * const parsed = await parseAuthorizationRequest(new URLSearchParams(query), (id) => clients.get(id));
 * if (parsed.kind === 'page-error') return errorPage(parsed);
 * ```
 */
export async function parseAuthorizationRequest(
  params: URLSearchParams,
  findClient: (id: string) => Promise<AuthorizeClient | undefined>,
): Promise<AuthorizeParse> {
  const page = (description: string, error: 'invalid_request' | 'invalid_client' = 'invalid_request') =>
    ({ kind: 'page-error', error, description }) as const;
  const one = (name: string): string | undefined | null => {
    const values = params.getAll(name);
    return values.length > 1 ? null : values[0];
  };

  const clientId = one('client_id');
  if (clientId === null) return page('client_id is repeated');
  if (clientId === undefined || clientId === '') return page('client_id is missing');
  const redirectUri = one('redirect_uri');
  if (redirectUri === null) return page('redirect_uri is repeated');
  if (redirectUri === undefined || redirectUri === '') return page('redirect_uri is missing');
  const client = await findClient(clientId);
  if (client === undefined) return page('unknown client_id', 'invalid_client');
  if (!clientRedirectUriMatches(client, redirectUri))
    return page('redirect_uri is not registered for this client');

  // From here on the client and the redirect URI are known: errors go back to the client.
  const rawState = one('state');
  const state = typeof rawState === 'string' && rawState.length <= MAX_LENGTH.state ? rawState : undefined;
  const fail = (error: string, description: string): AuthorizeParse => ({
    kind: 'redirect-error',
    redirectUri,
    state,
    error,
    description,
  });
  if (rawState === null) return fail('invalid_request', 'state is repeated');
  if (rawState !== undefined && state === undefined) return fail('invalid_request', 'state is too long');
  // One pass over the parameters: `getAll` per name would scan them all for each name, and a form
  // of thousands of distinct names would then hold the event loop for seconds.
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (seen.has(name) && !REPEATABLE.has(name))
      return fail('invalid_request', KNOWN.has(name) ? `${name} is repeated` : 'a parameter is repeated');
    seen.add(name);
    const max = Object.hasOwn(MAX_LENGTH, name) ? (MAX_LENGTH as Record<string, number>)[name] : undefined;
    if (max !== undefined && value.length > max)
      return fail('invalid_request', `${name} is longer than ${max} characters`);
  }
  if (params.has('request')) return fail('request_not_supported', 'request objects are not supported');
  if (params.has('request_uri')) return fail('request_uri_not_supported', 'request_uri is not supported');

  const responseType = params.get('response_type');
  if (responseType === null || responseType === '')
    return fail('invalid_request', 'response_type is missing');
  if (responseType !== 'code')
    return fail(
      'unsupported_response_type',
      'only the authorization code flow (response_type=code) is served',
    );
  if (!client.grants.includes('authorization_code'))
    return fail('unauthorized_client', 'this client is not registered for the authorization_code grant');

  const responseMode = params.get('response_mode');
  if (responseMode !== null && responseMode !== 'query')
    return fail('invalid_request', 'response_mode: only query is served');

  const codeChallenge = params.get('code_challenge');
  if (codeChallenge === null) return fail('invalid_request', 'code_challenge is required (PKCE, S256)');
  if (params.get('code_challenge_method') !== 'S256')
    return fail('invalid_request', 'code_challenge_method must be S256');
  if (!isS256Challenge(codeChallenge))
    return fail('invalid_request', 'code_challenge must be 43 base64url characters (S256)');

  let scopes: string[];
  try {
    // The token endpoint's own reading: the same characters, lengths and count are accepted.
    scopes = parseScope(params.get('scope') ?? undefined) ?? [];
  } catch {
    return fail(
      'invalid_scope',
      'scope: at most 100 space-separated scopes of printable ASCII, no quotes or backslashes',
    );
  }

  const promptText = params.get('prompt');
  const prompt = new Set<'none' | 'login' | 'consent'>();
  if (promptText !== null) {
    for (const value of promptText.split(' ')) {
      if (!PROMPTS.has(value))
        return fail('invalid_request', 'prompt: only none, login and consent are served');
      prompt.add(value as 'none' | 'login' | 'consent');
    }
    if (prompt.has('none') && prompt.size > 1)
      return fail('invalid_request', 'prompt: none cannot be combined with other values');
  }

  const maxAgeText = params.get('max_age');
  let maxAgeSeconds: number | undefined;
  if (maxAgeText !== null) {
    if (!/^\d{1,10}$/.test(maxAgeText) || Number(maxAgeText) > MAX_AGE_LIMIT)
      return fail('invalid_request', 'max_age must be a whole number of seconds');
    maxAgeSeconds = Number(maxAgeText);
  }

  const acrText = params.get('acr_values');
  let acrValues: string[] = [];
  if (acrText !== null) {
    const values = acrText.split(' ').filter((v) => v !== '');
    // RFC 6749 §3.3-style tokens (as scopes): visible ASCII without `"` or `\`.
    if (values.some((v) => !ACR_VALUE.test(v)))
      return fail(
        'invalid_request',
        'acr_values: space-separated values of printable ASCII, no quotes or backslashes',
      );
    acrValues = ACR_VALUES.filter((known) => values.includes(known));
    acrValues.sort((a, b) => values.indexOf(a) - values.indexOf(b));
  }

  const dpopJkt = params.get('dpop_jkt');
  if (dpopJkt !== null && !THUMBPRINT.test(dpopJkt))
    return fail('invalid_request', 'dpop_jkt must be a JWK SHA-256 thumbprint (43 base64url characters)');

  const resources = params.getAll('resource');
  if (resources.length > MAX_RESOURCES)
    return fail('invalid_target', `at most ${MAX_RESOURCES} resource parameters`);
  // RFC 8707 §2: an absolute URI without a fragment, or (keycard) a registered audience id.
  if (resources.some((r) => r === '' || r.includes('#')))
    return fail('invalid_target', 'resource must be an audience id or an absolute URI without a fragment');

  return {
    kind: 'ok',
    request: {
      clientId,
      redirectUri,
      scopes,
      state,
      codeChallenge,
      nonce: params.get('nonce') || undefined,
      prompt,
      maxAgeSeconds,
      loginHint: params.get('login_hint') || undefined,
      dpopJkt: dpopJkt ?? undefined,
      resources: [...new Set(resources)],
      acrValues,
    },
  };
}
