import type { ServerContext } from '../context.js';
import type { RevocationEvent, Storage } from '../storage/index.js';
import type { FeedNotifier } from './feed-notifier.js';

/** A page of the revocation feed. */
export interface FeedPage {
  events: RevocationEvent[];
  /** The latest cursor the caller has now seen: where it resumes from next time. */
  cursor: number;
  /**
   * The reader's position is not part of this history: events after `after` were pruned, or the
   * store's history ends below `after` (restored from a backup, failed over to a replica that
   * lagged). The reader must continue from `resetTo` (then `events`) and distrust its cache.
   */
  reset: boolean;
  /** With `reset`: the position the reader continues from before applying `events`. */
  resetTo: number;
  /** A full page: more events may follow at once. */
  more: boolean;
}

/** Largest page of events one read returns. */
export const FEED_PAGE = 1000;

/**
 * Reads the feed after `after`. Cursors are contiguous in practice, so a first retained
 * event beyond `after + 1` means the reader missed pruned events, and a cursor from the
 * future means the store went back in time: both are resets that carry the new position.
 *
 * @example
 * ```ts
 * const page = await readRevocations(ctx, 0);
 * ```
 */
export function readRevocations(ctx: ServerContext, after: number): Promise<FeedPage> {
  return readFeedPage(ctx.storage, after);
}

/** {@link readRevocations} over a bare store (the shared stream reader uses it). */
export async function readFeedPage(storage: Storage, after: number): Promise<FeedPage> {
  // `latest` first: every cursor up to it is already readable, so an event appended between
  // the two reads shows up in `events` (or on the next read), never only in `latest`.
  const latest = await storage.revocations.latestCursor();
  if (after > latest) return { events: [], cursor: latest, reset: true, resetTo: latest, more: false };
  const events = await storage.revocations.listAfter(after, FEED_PAGE);
  const first = events[0];
  const reset = after > 0 && (first !== undefined ? first.cursor > after + 1 : latest > after);
  const last = events.at(-1);
  const cursor = last !== undefined ? last.cursor : latest;
  const resetTo = first !== undefined ? first.cursor - 1 : latest;
  return { events, cursor, reset, resetTo: reset ? resetTo : after, more: events.length >= FEED_PAGE };
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
