import { GuardError } from '../errors.js';
import { discoverIssuer } from './discovery.js';
import type { ResolvedOptions } from './options.js';

export interface IssuerEndpoints {
  jwksUri: string | undefined;
  streamUri: string | undefined;
  pollUri: string | undefined;
}

/**
 * Where the keys and the revocation feed are: the configured URLs, completed from the issuer's
 * discovery document when one is needed. Failures are reported to `onError` and thrown.
 */
export async function resolveEndpoints(o: ResolvedOptions, signal: AbortSignal): Promise<IssuerEndpoints> {
  let jwksUri = o.jwksUri;
  let streamUri = o.revocation?.streamUri;
  let pollUri = o.revocation?.pollUri;
  if (o.discoveryUri !== undefined) {
    try {
      const meta = await discoverIssuer(o.discoveryUri, o.issuer, { timeoutMs: o.fetchTimeoutMs, signal });
      jwksUri ??= meta.jwks_uri;
      if (streamUri === undefined && pollUri === undefined) {
        streamUri = meta.keycard_revocations_stream_endpoint;
        pollUri = meta.keycard_revocations_endpoint;
      }
    } catch (error) {
      o.onError(error as GuardError);
      throw error;
    }
  }
  if (o.revocation !== undefined && streamUri === undefined && pollUri === undefined) {
    const error = new GuardError('ERR_GUARD_FEED_FAILED', {
      reason: 'the issuer publishes no revocation feed',
    });
    o.onError(error);
    throw error;
  }
  return { jwksUri, streamUri, pollUri };
}
