import type { KeySet } from '@keycard/jwt';
import type { RevocationState } from '../feed/revocation-state.js';
import type { GuardMetrics } from '../types.js';
import type { GuardStartup } from './startup.js';

/** The request path's own counters, kept as plain fields on the guard so the warm path stays cheap. */
export interface RequestCounters {
  readonly hits: number;
  readonly misses: number;
  readonly verifications: number;
  readonly rejections: number;
}

/** One snapshot of the guard's counters, feed, revocation set, cache and keys. */
export function collectMetrics(
  now: number,
  counters: RequestCounters,
  cacheSize: number,
  state: RevocationState,
  startup: GuardStartup,
  staticKeys: KeySet | undefined,
  revocationOn: boolean,
): GuardMetrics {
  const feed = startup.feed;
  const jwks = startup.jwks;
  const lookups = counters.hits + counters.misses;
  return {
    feedLagMs: feed?.lagMs ?? null,
    feedStalenessMs: feed === undefined ? 0 : feed.stalenessMs(now),
    feedConnected: feed?.connected ?? false,
    feedMode: feed === undefined ? 'off' : feed.mode,
    lastEventAtMs: feed?.lastEventAt ?? null,
    feedEvents: feed?.events ?? 0,
    feedReconnects: feed?.reconnects ?? 0,
    feedResets: feed?.resets ?? 0,
    feedStale: revocationOn && startup.feedIsStale(now),
    revokedKeys: state.keys.size,
    revokedSessions: state.sessions.size,
    revokedTokens: state.tokens.size,
    revokedSubjects: state.subjects.size,
    revokedRoles: state.roles.size,
    cacheHits: counters.hits,
    cacheMisses: counters.misses,
    cacheHitRate: lookups === 0 ? 0 : counters.hits / lookups,
    cacheSize,
    jwksFetches: jwks?.fetches ?? 0,
    jwksFetchFailures: jwks?.failures ?? 0,
    jwksKeys: (staticKeys ?? jwks?.keySet)?.keys.length ?? 0,
    verifications: counters.verifications,
    rejections: counters.rejections,
  };
}
