import type { RevocationEvent, Storage } from '../storage/index.js';
import { FEED_PAGE } from './feed.js';
import type { FeedNotifier } from './feed-notifier.js';
import { sseReset, sseRevocation, sseSynced } from './wire.js';

/** Receives the encoded Server-Sent Events of one stream. */
export type FeedWriter = (chunk: string) => void;

/** One reader of storage per server instance, writing the same bytes to every SSE stream. */
export interface FeedBroadcaster {
  /**
   * Adds a stream that has seen everything up to `after`: writes its backlog (or a reset that
   * carries the new position), a `synced` event, then every later event. `leave()` removes it.
   */
  join(write: FeedWriter, after: number): { leave(): void; joined: Promise<void> };
  /** Streams currently joined (including those still catching up). */
  readonly size: number;
  close(): void;
}

/**
 * Serialises all work on one promise chain, so a stream's catch-up and the live broadcast never
 * interleave: a stream joins the live set exactly at the broadcaster's head, with no gap and no
 * duplicate. New events cost one storage read per instance, whatever the number of streams.
 *
 * @example
 * ```ts
 * const broadcaster = createFeedBroadcaster(storage, notifier, (err) => logger.error({ err }));
 * const { leave } = broadcaster.join((chunk) => raw.write(chunk), lastEventId);
 * ```
 */
export function createFeedBroadcaster(
  storage: Storage,
  notifier: FeedNotifier,
  onError: (error: unknown) => void,
): FeedBroadcaster {
  const live = new Set<FeedWriter>();
  let members = 0;
  let head: number | undefined;
  let chain: Promise<void> = Promise.resolve();
  let advanceQueued = false;
  let unsubscribe: (() => void) | undefined;
  let closed = false;

  const enqueue = (task: () => Promise<void>): Promise<void> => {
    const run = chain.then(task);
    chain = run.catch(onError);
    return run;
  };
  const broadcast = (chunk: string) => {
    for (const write of live) write(chunk);
  };
  const encode = (events: RevocationEvent[]) => events.map(sseRevocation).join('');

  /** Reads what is new since `head` and writes it to every live stream. */
  async function advance(): Promise<void> {
    advanceQueued = false;
    if (head === undefined) {
      head = await storage.revocations.latestCursor();
      return;
    }
    for (;;) {
      const events = await storage.revocations.listAfter(head, FEED_PAGE);
      const first = events[0];
      if (first === undefined) {
        // Nothing new: did the store go back in time (restore, fail-over)? Follow it down.
        const latest = await storage.revocations.latestCursor();
        if (latest < head) {
          head = latest;
          broadcast(sseReset(latest));
        }
        return;
      }
      const gap = first.cursor > head + 1 ? sseReset(first.cursor - 1) : '';
      head = events.at(-1)!.cursor;
      broadcast(gap + encode(events));
      if (events.length < FEED_PAGE) return;
    }
  }

  /** Writes a new stream's backlog from `after` up to `head` (no further: the broadcast takes over). */
  async function catchUp(write: FeedWriter, after: number, to: number): Promise<void> {
    if (after > to) {
      write(sseReset(to));
      return;
    }
    let position = after;
    while (position < to) {
      const events = (await storage.revocations.listAfter(position, FEED_PAGE)).filter((e) => e.cursor <= to);
      const first = events[0];
      if (first === undefined) {
        // Everything after our position was pruned.
        if (position > 0) write(sseReset(to));
        return;
      }
      const gap = position > 0 && first.cursor > position + 1 ? sseReset(first.cursor - 1) : '';
      write(gap + encode(events));
      position = events.at(-1)!.cursor;
      if (events.length < FEED_PAGE) return;
    }
  }

  const onNotify = () => {
    if (advanceQueued || closed) return;
    advanceQueued = true;
    void enqueue(advance);
  };

  return {
    get size() {
      return members;
    },
    join(write, after) {
      members++;
      unsubscribe ??= notifier.subscribe(onNotify);
      let left = false;
      const joined = enqueue(async () => {
        if (left || closed) return;
        await advance();
        const to = head ?? 0;
        await catchUp(write, after, to);
        if (left || closed) return;
        write(sseSynced(to));
        live.add(write);
      });
      return {
        joined,
        leave() {
          if (left) return;
          left = true;
          members--;
          live.delete(write);
          if (members === 0) {
            unsubscribe?.();
            unsubscribe = undefined;
            // Unwatched, the head goes stale: the next join starts from the store's latest cursor.
            void enqueue(async () => {
              if (members === 0) head = undefined;
            });
          }
        },
      };
    },
    close() {
      closed = true;
      unsubscribe?.();
      unsubscribe = undefined;
      live.clear();
    },
  };
}
