import type { ServerContext } from '../context.js';

/** What one pruning round removed (all 0 when another instance held the maintenance lock). */
export interface PruneResult {
  /** False when another instance was pruning: this round skipped. */
  ran: boolean;
  prunedEvents: number;
  prunedSessions: number;
  prunedTokens: number;
  /** Rotated-out refresh tokens whose grace window was over. */
  prunedUsedTokens: number;
  clearedSealed: number;
  prunedAudit: number;
  /** Authorization codes past their expiry by more than an hour (CODE_REPLAY_MEMORY_MS). */
  prunedCodes: number;
  /** Browser (single-sign-on) sessions that expired or ended. */
  prunedBrowserSessions: number;
  /** Mailed password-reset and email-verification links past their expiry, used or not. */
  prunedEmailTokens: number;
}

/** What `prune` reads. */
export type PruneDeps = Pick<ServerContext, 'storage' | 'config' | 'clock' | 'logger'>;
/** What {@link runMaintenance} reads: the key manager rotates, then `prune`. */
export type RunMaintenanceDeps = Pick<ServerContext, 'keys'> & PruneDeps;

const DAY_MS = 86_400_000;

/**
 * How long an expired authorization code's row is kept: a replay within it is still recognised
 * ('replayed', so what the code issued is revoked) instead of being merely unknown.
 */
export const CODE_REPLAY_MEMORY_MS = 3_600_000;

/** Name of the maintenance lock pruning runs under. */
export const PRUNE_LOCK = 'prune';

/**
 * Runs one round of housekeeping: scheduled key rotation and removal, and pruning. Pruning runs
 * only under the storage's maintenance lock (PostgreSQL: an advisory lock), so of several
 * instances one prunes and the others skip the round; each store deletes in batches of
 * 1,000 rows per statement (PRUNE_BATCH), so no statement holds its locks long.
 *
 * Pruned: revocation events no token can match any more, refresh tokens past their own expiry,
 * sessions past their end (with their tokens), rotated-out refresh tokens (with their sealed
 * successors) once the grace window `sessions.refreshGraceSeconds` is over, audit events older
 * than `audit.retentionDays` (0 keeps them), authorization codes an hour past their expiry,
 * browser sessions that expired or ended, mailed links (email tokens) past their expiry.
 *
 * Reuse detection does not need a rotated-out token's row: a refresh token names its session
 * under a MAC only the server can make (`rt1.<sid>.<random>.<mac>`, sessions/refresh-token-format.ts),
 * so a replayed old token with no row still revokes its session. Tokens minted before that
 * format are opaque: once their used row is pruned, a replay is only "invalid grant" (it still fails).
 *
 * @example
 * ```ts
 * await runMaintenance(ctx);
 * ```
 */
export async function runMaintenance(
  ctx: RunMaintenanceDeps,
  what: { keys?: boolean; prune?: boolean } = {},
) {
  const result = { rotated: false, removedKeys: 0, ...emptyPrune() };
  if (what.keys ?? true) {
    const keys = await ctx.keys.maintain();
    result.rotated = keys.rotated;
    result.removedKeys = keys.removed.length;
  }
  if (what.prune ?? true) Object.assign(result, await prune(ctx));
  return result;
}

/**
 * One pruning round under the maintenance lock (skipped when another instance holds it).
 *
 * @example
 * ```ts
 * const { ran, prunedAudit } = await prune(ctx);
 * ```
 */
export async function prune(ctx: PruneDeps): Promise<PruneResult> {
  const result = emptyPrune();
  const { storage, config } = ctx;
  result.ran = await storage.withMaintenanceLock(PRUNE_LOCK, async () => {
    const now = ctx.clock();
    result.prunedEvents = await storage.revocations.deleteExpired(now);
    // Tokens before sessions: a token never outlives its session, so this leaves the session
    // DELETE (which takes a session's remaining tokens with it) little to do.
    result.prunedTokens = await storage.refreshTokens.deleteExpired(now);
    result.prunedSessions = await storage.sessions.deleteExpired(now);
    const graceEnded = now - config.sessions.refreshGraceSeconds * 1000;
    result.prunedUsedTokens = await storage.refreshTokens.deleteUsedBefore(graceEnded);
    // Deleting a used row takes its sealed successor with it: this finds none but a row used
    // exactly at the cutoff racing the DELETE, kept as the guarantee the grace window promises.
    result.clearedSealed = await storage.refreshTokens.clearSealedBefore(graceEnded);
    result.prunedCodes = await storage.authorizationCodes.deleteExpired(now - CODE_REPLAY_MEMORY_MS);
    result.prunedBrowserSessions = await storage.browserSessions.deleteExpired(now);
    result.prunedEmailTokens = await storage.emailTokens.deleteExpired(now);
    const days = config.audit.retentionDays;
    if (days > 0) result.prunedAudit = await storage.audit.deleteBefore(now - days * DAY_MS);
  });
  const { ran, ...counts } = result;
  if (Object.values(counts).some((n) => n > 0)) ctx.logger.info(counts, 'pruned expired records');
  return result;
}

function emptyPrune(): PruneResult {
  return {
    ran: false,
    prunedEvents: 0,
    prunedSessions: 0,
    prunedTokens: 0,
    prunedUsedTokens: 0,
    clearedSealed: 0,
    prunedAudit: 0,
    prunedCodes: 0,
    prunedBrowserSessions: 0,
    prunedEmailTokens: 0,
  };
}

/**
 * Starts the periodic jobs (timers are unref'd so they never hold the process open).
 * Returns a function that stops them and waits for a running round to finish.
 */
export function startMaintenance(ctx: RunMaintenanceDeps): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const schedule = (what: { keys?: boolean; prune?: boolean }, seconds: number) => {
    const timer = setInterval(() => {
      running = running
        .then(() => runMaintenance(ctx, what))
        .catch((err: unknown) => ctx.logger.error({ err }, 'maintenance failed'));
    }, seconds * 1000);
    timer.unref();
    return timer;
  };
  const timers = [
    schedule({ keys: true, prune: false }, ctx.config.keys.checkInterval),
    schedule({ keys: false, prune: true }, ctx.config.revocations.pruneInterval),
  ];
  return async () => {
    for (const timer of timers) clearInterval(timer);
    await running;
  };
}
