import type { ServerContext } from '../context.js';

/**
 * Runs one round of housekeeping: scheduled key rotation and removal, pruning of revocation
 * events no token can match any more, expired sessions and refresh tokens, and sealed
 * successors whose grace window has passed.
 *
 * @example
 * ```ts
 * await runMaintenance(ctx);
 * ```
 */
export async function runMaintenance(ctx: ServerContext, what: { keys?: boolean; prune?: boolean } = {}) {
  const now = ctx.clock();
  const result = { rotated: false, removedKeys: 0, prunedEvents: 0, prunedSessions: 0, prunedTokens: 0 };
  if (what.keys ?? true) {
    const keys = await ctx.keys.maintain();
    result.rotated = keys.rotated;
    result.removedKeys = keys.removed.length;
  }
  if (what.prune ?? true) {
    result.prunedEvents = await ctx.storage.revocations.deleteExpired(now);
    result.prunedTokens = await ctx.storage.refreshTokens.deleteExpired(now);
    result.prunedSessions = await ctx.storage.sessions.deleteExpired(now);
    await ctx.storage.refreshTokens.clearSealedBefore(now - ctx.config.sessions.refreshGraceSeconds * 1000);
  }
  return result;
}

/**
 * Starts the periodic jobs (timers are unref'd so they never hold the process open).
 * Returns a function that stops them and waits for a running round to finish.
 */
export function startMaintenance(ctx: ServerContext): () => Promise<void> {
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
