import { REVOCATION_EVENT_NAMES } from '@keycard/protocol';
import { GuardError } from '../errors.js';
import { fetchJson } from '../http/fetch-json.js';
import { backoffDelay, sleep } from './backoff.js';
import type { RevocationEvent, RevocationState } from './revocation-state.js';
import { parseRevocationEvent } from './revocation-state.js';
import type { SseEvent } from './sse-parser.js';
import { SseParser } from './sse-parser.js';

export interface RevocationFeedOptions {
  streamUri: string | undefined;
  pollUri: string | undefined;
  state: RevocationState;
  /** After the state recorded the event (the guard evicts matching cache entries). */
  onEvent: (event: RevocationEvent) => void;
  /** The issuer could not resume from our cursor: every cached verification is suspect. */
  onReset: () => void;
  onError: (error: GuardError) => void;
  clock: () => number;
  connectTimeoutMs: number;
  minReconnectDelayMs: number;
  maxReconnectDelayMs: number;
  idleTimeoutMs: number;
  pollWaitSeconds: number;
  /** The guard's `maxStaleness`: long-polls are kept shorter than half of it. */
  maxStalenessMs?: number;
  streamFailuresBeforePoll: number;
  /** A card for feeds that require one (`Authorization: Bearer`); called per connection or poll. */
  authorization?: (() => string | Promise<string>) | undefined;
  /** Successful polls in fallback mode before trying the stream again. Default 20. */
  pollsBeforeStreamRetry?: number;
  random?: () => number;
}

const MAX_POLL_BYTES = 4 * 1024 * 1024;
/** A stream that lasted this long counts as healthy: the next reconnect starts from the minimum delay. */
const STABLE_STREAM_MS = 5000;

/**
 * Keeps a RevocationState current from the issuer's feed: a Server-Sent Events stream resumed with
 * `Last-Event-ID`, reconnected with bounded backoff, falling back to long-polling when the stream keeps
 * failing. When a poll endpoint is known the first sync is a poll, so `ready()` means "state complete".
 *
 * @example
 * const feed = new RevocationFeed({ streamUri, pollUri, state, onEvent, onReset, onError, clock: Date.now, ... });
 * feed.start();
 * await feed.ready();
 */
export class RevocationFeed {
  connected = false;
  mode: 'stream' | 'poll';
  cursor: string | undefined;
  /** Clock time the feed was last known current (connected stream byte or successful poll). */
  lastContactAt: number | undefined;
  lastEventAt: number | null = null;
  lagMs: number | null = null;
  events = 0;
  reconnects = 0;
  /** Resets the issuer answered (restore, fail-over, pruned events). */
  resets = 0;
  synced = false;
  #more = false;
  readonly #close = new AbortController();
  #failures = 0;
  #streamFailures = 0;
  #polls = 0;
  #started = false;
  #waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #lastByteAt = 0;

  constructor(private readonly options: RevocationFeedOptions) {
    this.mode = options.streamUri !== undefined ? 'stream' : 'poll';
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#loop();
  }

  /** Before the first sync, while no attempt has failed yet: the feed is still starting. */
  get startingUp(): boolean {
    return !this.synced && this.#failures === 0 && !this.#close.signal.aborted;
  }

  /** Resolves once the feed has synced; rejects if the next attempt fails before the first sync. */
  ready(): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.#close.signal.aborted) return Promise.reject(new GuardError('ERR_GUARD_CLOSED'));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** True when the feed has been out of touch for more than `maxStalenessMs` (or never synced). */
  isStale(nowMs: number, maxStalenessMs: number): boolean {
    if (this.connected) return false;
    return this.lastContactAt === undefined || nowMs - this.lastContactAt > maxStalenessMs;
  }

  stalenessMs(nowMs: number): number {
    if (this.connected) return 0;
    return this.lastContactAt === undefined ? Number.POSITIVE_INFINITY : nowMs - this.lastContactAt;
  }

  close(): void {
    this.#close.abort();
    this.connected = false;
    this.#settle(new GuardError('ERR_GUARD_CLOSED'));
  }

  async #loop(): Promise<void> {
    const o = this.options;
    const signal = this.#close.signal;
    while (!signal.aborted) {
      try {
        if (this.mode === 'stream' && (this.synced || o.pollUri === undefined)) {
          await this.#stream(o.streamUri!);
        } else {
          await this.#poll(o.pollUri!);
          if (
            this.mode === 'poll' &&
            o.streamUri !== undefined &&
            ++this.#polls >= (o.pollsBeforeStreamRetry ?? 20)
          ) {
            this.mode = 'stream';
            this.#streamFailures = o.streamFailuresBeforePoll - 1;
          }
          // A server that ignores `wait` must not turn long-polling into a busy loop; a full page
          // (`more`) is read on at once.
          if (this.mode === 'poll' && !this.#more) await sleep(o.minReconnectDelayMs, signal);
          continue;
        }
      } catch (cause) {
        if (signal.aborted) break;
        this.#failures++;
        this.connected = false;
        const error =
          cause instanceof GuardError
            ? cause
            : new GuardError('ERR_GUARD_FEED_FAILED', { cause, reason: (cause as Error)?.message });
        o.onError(error);
        if (!this.synced) this.#settle(error);
        if (this.mode === 'stream' && ++this.#streamFailures >= o.streamFailuresBeforePoll && o.pollUri) {
          this.mode = 'poll';
          this.#polls = 0;
        }
      }
      if (signal.aborted) break;
      this.reconnects++;
      await sleep(
        backoffDelay(this.#failures, o.minReconnectDelayMs, o.maxReconnectDelayMs, o.random),
        signal,
      );
    }
    this.connected = false;
  }

  async #poll(uri: string): Promise<void> {
    const o = this.options;
    // Right after a failure, ask without waiting (catch up and count as current at once); and never
    // hold a long-poll longer than half of maxStaleness, or a quiet healthy feed would look stale.
    const cap = o.maxStalenessMs === undefined ? o.pollWaitSeconds : Math.floor(o.maxStalenessMs / 2000);
    const wait = this.synced && this.connected ? Math.min(o.pollWaitSeconds, cap) : 0;
    const url = new URL(uri);
    url.searchParams.set('after', this.cursor ?? '0');
    url.searchParams.set('wait', String(wait));
    const response = await fetchJson(url.href, {
      headers: await this.#authHeader(),
      timeoutMs: o.connectTimeoutMs + wait * 1000,
      maxBytes: MAX_POLL_BYTES,
      signal: this.#close.signal,
    });
    const body = response.body as
      | { events?: unknown; cursor?: unknown; reset?: unknown; more?: unknown }
      | undefined;
    if (body === undefined || !Array.isArray(body.events))
      throw new Error('revocation poll answered no events array');
    // Our cursor is older than what the issuer retains (or from another history): distrust the cache.
    if (body.reset === true) {
      this.resets++;
      this.options.onReset();
    }
    for (const raw of body.events) this.#apply(raw, undefined);
    if (typeof body.cursor === 'string' || typeof body.cursor === 'number') this.cursor = String(body.cursor);
    this.#failures = 0;
    this.lastContactAt = o.clock();
    this.connected = this.mode === 'poll';
    // Caught up only once the issuer has no further page for us: `ready()` means "state complete".
    this.#more = body.more === true;
    if (!this.#more) this.#markSynced();
  }

  async #stream(uri: string): Promise<void> {
    const o = this.options;
    const connection = new AbortController();
    const signal = AbortSignal.any([this.#close.signal, connection.signal]);
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      'cache-control': 'no-cache',
      ...(await this.#authHeader()),
    };
    if (this.cursor !== undefined) headers['last-event-id'] = this.cursor;
    const connectTimer = setTimeout(() => connection.abort(), o.connectTimeoutMs);
    let response: Response;
    try {
      response = await fetch(uri, { headers, signal });
    } finally {
      clearTimeout(connectTimer);
    }
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !type.toLowerCase().startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel().catch(() => {});
      throw new Error(`revocation stream answered ${response.status} ${type}`);
    }
    const connectedAt = Date.now();
    this.#lastByteAt = connectedAt;
    this.lastContactAt = o.clock();
    this.connected = true;
    // A half-open TCP connection delivers nothing: the issuer pings every 15 s, so silence means dead.
    const watchdog = setInterval(
      () => {
        if (Date.now() - this.#lastByteAt > o.idleTimeoutMs) connection.abort();
      },
      Math.max(5, Math.min(5000, o.idleTimeoutMs / 3)),
    );
    watchdog.unref?.();
    const parser = new SseParser((event) => this.#onSse(event));
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.#lastByteAt = Date.now();
        this.lastContactAt = o.clock();
        parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      clearInterval(watchdog);
      connection.abort();
      this.connected = false;
      this.lastContactAt = o.clock();
      // Only a stream that stayed up resets the backoff: one that the other end closes at once must not
      // turn into a reconnect loop at the minimum delay (and should lead to long-polling).
      if (Date.now() - connectedAt >= STABLE_STREAM_MS) {
        this.#failures = 0;
        this.#streamFailures = 0;
      }
    }
    throw new Error('revocation stream ended');
  }

  #onSse(event: SseEvent): void {
    if (event.type === REVOCATION_EVENT_NAMES.reset) {
      // The issuer's history does not hold our position (restore, fail-over, pruned events): follow
      // the position the reset carries, keep what we know, and distrust cached verifications.
      const position = cursorOf(event.data) ?? (event.lastEventId === '' ? undefined : event.lastEventId);
      if (position !== undefined) this.cursor = position;
      this.resets++;
      this.options.onReset();
      return;
    }
    if (event.type === REVOCATION_EVENT_NAMES.synced) {
      // The stream has written our backlog: the state is complete.
      this.#markSynced();
      return;
    }
    if (event.type !== REVOCATION_EVENT_NAMES.revocation && event.type !== 'message') return;
    let raw: unknown;
    try {
      raw = JSON.parse(event.data);
    } catch (cause) {
      this.options.onError(
        new GuardError('ERR_GUARD_FEED_FAILED', { cause, reason: 'event data is not JSON' }),
      );
      return;
    }
    this.#apply(raw, event.lastEventId === '' ? undefined : event.lastEventId);
  }

  #apply(raw: unknown, id: string | undefined): void {
    const event = parseRevocationEvent(raw);
    const cursor = (raw as { cursor?: unknown } | null)?.cursor;
    if (typeof cursor === 'string' || typeof cursor === 'number') this.cursor = String(cursor);
    else if (id !== undefined) this.cursor = id;
    if (event === undefined) return;
    const now = this.options.clock();
    this.options.state.apply(event, now);
    this.events++;
    this.lastEventAt = now;
    this.lagMs = Math.max(0, now - event.at * 1000);
    this.options.onEvent(event);
  }

  async #authHeader(): Promise<Record<string, string>> {
    const get = this.options.authorization;
    return get === undefined ? {} : { authorization: `Bearer ${await get()}` };
  }

  #markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.#settle(undefined);
  }

  #settle(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) error === undefined ? w.resolve() : w.reject(error);
  }
}

/** The `cursor` member of a reset's data, if it carries one. */
function cursorOf(data: string): string | undefined {
  try {
    const value = (JSON.parse(data) as { cursor?: unknown } | null)?.cursor;
    return typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
  } catch {
    return undefined;
  }
}
