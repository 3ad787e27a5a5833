// Guards that follow ONE instance's revocation feed directly (not through nginx), and the measure of
// a logout's reach: from the logout's HTTP answer to the guard refusing the card.
import { performance } from 'node:perf_hooks';
import { createGuard, type Guard } from '@keycard/guard';
import type { Cluster } from './cluster.js';
import { waitFor } from './processes.js';

/** A guard for the `keycard` audience whose keys and revocation feed come from instance `i` only. */
export function guardFollowing(cluster: Cluster, i: number): Guard {
  const base = cluster.url(i);
  return createGuard({
    issuer: cluster.issuer,
    audience: 'keycard',
    jwksUri: `${base}/.well-known/jwks.json`,
    jwks: { cooldownSeconds: 1 },
    revocation: {
      streamUri: `${base}/revocations/stream`,
      pollUri: `${base}/revocations`,
      minReconnectDelayMs: 20,
      maxReconnectDelayMs: 200,
    },
  });
}

/** Waits until the guard's keys are loaded and its stream is connected and synced. */
export async function streamReady(guard: Guard): Promise<void> {
  await guard.ready();
  await waitFor(
    'the guard to follow the revocation stream',
    () => {
      const m = guard.metrics();
      return m.feedConnected && m.feedMode === 'stream' ? true : undefined;
    },
    15_000,
    20,
  );
}

const nextTurn = () => new Promise((r) => setImmediate(r));

/**
 * ms from the end of `logout` (its answer received) to `guard` refusing `token` as revoked. The guard
 * must accept the card first (so its feed is current and the card cached). Checks on every turn of
 * the event loop (sub-millisecond resolution); gives up after `timeoutMs`.
 */
export async function revocationReach(
  guard: Guard,
  token: string,
  logout: () => Promise<void>,
  timeoutMs = 5000,
): Promise<number> {
  if (!guard.metrics().feedConnected) await streamReady(guard);
  const before = await guard.verifyToken(token);
  if (!before.ok) throw new Error(`the guard refused the card before the logout: ${before.error.code}`);
  await logout();
  const answered = performance.now();
  for (;;) {
    const result = await guard.verifyToken(token);
    const elapsed = performance.now() - answered;
    if (!result.ok) {
      if (result.error.code !== 'ERR_GUARD_TOKEN_REVOKED') {
        throw new Error(`the guard refused the card for another reason: ${result.error.code}`);
      }
      return elapsed;
    }
    if (elapsed > timeoutMs)
      throw new Error(`the guard still accepted the card ${timeoutMs} ms after the logout`);
    await nextTurn();
  }
}

/** Median and max of a sample, rounded to 0.1 ms. */
export function summary(ms: readonly number[]): { n: number; median: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const round = (v: number) => Math.round(v * 10) / 10;
  return { n: sorted.length, median: round(median), max: round(sorted.at(-1) ?? Number.NaN) };
}
