import type { ServerContext } from '../context.js';
import type { RevocationEvent } from '../storage/index.js';
import type { FeedNotifier } from './feed-notifier.js';

/** A page of the revocation feed. */
export interface FeedPage {
  events: RevocationEvent[];
  /** The latest cursor the caller has now seen. */
  cursor: number;
  /** True when events after `after` may have been pruned: the reader must distrust its cache. */
  reset: boolean;
}

const PAGE = 1000;

/**
 * Reads the feed after `after`. Cursors are contiguous in practice, so a first retained
 * event beyond `after + 1` (or a cursor from the future) means the reader missed pruned events.
 *
 * @example
 * ```ts
 * const page = await readRevocations(ctx, 0);
 * ```
 */
export async function readRevocations(ctx: ServerContext, after: number): Promise<FeedPage> {
  // `latest` first: every cursor up to it is already readable, so an event appended between
  // the two reads shows up in `events` (or on the next read), never only in `latest`.
  const latest = await ctx.storage.revocations.latestCursor();
  const events = await ctx.storage.revocations.listAfter(after, PAGE);
  const first = events[0];
  const reset =
    after > 0 && (after > latest || (first !== undefined ? first.cursor > after + 1 : latest > after));
  const last = events.at(-1);
  return { events, cursor: last !== undefined ? last.cursor : latest, reset };
}

/**
 * Resolves when new events may exist (see {@link FeedNotifier}), when `ms` passes, or when
 * `signal` aborts. Used by long-poll.
 */
export function waitForRevocation(notifier: FeedNotifier, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      if (timer !== undefined) clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const unsubscribe = notifier.subscribe(done);
    timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    if (signal?.aborted) done();
  });
}
