import { GuardError } from '../errors.js';
import { fetchJson } from '../http/fetch-json.js';

/** The members of the issuer metadata (RFC 8414) the guard and the service client use. */
export interface IssuerMetadata {
  issuer: string;
  jwks_uri: string;
  token_endpoint?: string;
  keycard_revocations_endpoint?: string;
  keycard_revocations_stream_endpoint?: string;
}

const MAX_DISCOVERY_BYTES = 64 * 1024;

function metadataError(uri: string, reason: string): GuardError {
  return new GuardError('ERR_GUARD_DISCOVERY_FAILED', {
    reason,
    message: `The issuer metadata at ${uri} is unusable: ${reason}`,
  });
}

function optionalUrl(uri: string, doc: Record<string, unknown>, name: string): string | undefined {
  const value = doc[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^https?:\/\//.test(value)) {
    throw metadataError(uri, `metadata member ${name} is not a URL`);
  }
  return value;
}

/**
 * Fetches the issuer's metadata and checks that it names the expected issuer (RFC 8414 §3.3), so a
 * document served from the wrong place cannot redirect the guard to foreign keys.
 *
 * @example
 * const meta = await discoverIssuer('https://auth.example.com/.well-known/openid-configuration',
 *   'https://auth.example.com', { timeoutMs: 5000 });
 */
export async function discoverIssuer(
  uri: string,
  expectedIssuer: string | undefined,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<IssuerMetadata> {
  let body: unknown;
  try {
    body = (
      await fetchJson(uri, {
        timeoutMs: options.timeoutMs,
        maxBytes: MAX_DISCOVERY_BYTES,
        signal: options.signal,
      })
    ).body;
  } catch (cause) {
    // The message names the URL and the cause (for ready() and onError; the public body never has it).
    const reason = (cause as Error).message;
    throw new GuardError('ERR_GUARD_DISCOVERY_FAILED', {
      cause,
      reason,
      message: `The issuer metadata could not be loaded: ${reason}`,
    });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw metadataError(uri, 'metadata is not a JSON object');
  }
  const doc = body as Record<string, unknown>;
  if (typeof doc['issuer'] !== 'string') {
    throw metadataError(uri, 'metadata has no issuer');
  }
  if (expectedIssuer !== undefined && doc['issuer'].replace(/\/+$/, '') !== expectedIssuer) {
    throw new GuardError('ERR_GUARD_DISCOVERY_FAILED', {
      reason: 'metadata names a different issuer',
      message: `The issuer metadata at ${uri} names the issuer "${doc['issuer'].slice(0, 200)}", not "${expectedIssuer}"`,
    });
  }
  const jwksUri = optionalUrl(uri, doc, 'jwks_uri');
  if (jwksUri === undefined) throw metadataError(uri, 'metadata has no jwks_uri');
  return {
    issuer: doc['issuer'],
    jwks_uri: jwksUri,
    token_endpoint: optionalUrl(uri, doc, 'token_endpoint'),
    keycard_revocations_endpoint: optionalUrl(uri, doc, 'keycard_revocations_endpoint'),
    keycard_revocations_stream_endpoint: optionalUrl(uri, doc, 'keycard_revocations_stream_endpoint'),
  };
}
