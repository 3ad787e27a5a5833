import { decodeJWT } from '@keycard/jwt';

/** Most exchanged cards kept at once (the oldest goes first). */
const MAX_ENTRIES = 1000;

export interface ExchangeKeyInput {
  subjectToken: string;
  audience: string;
  scope: string | undefined;
}

/**
 * The cache key of an exchange: the subject card's `jti` (its whole text when it has none), the
 * audience and the scope asked for. The card is decoded only to read `jti`: the issuer verifies it.
 */
export function exchangeKey({ subjectToken, audience, scope }: ExchangeKeyInput): string {
  let id = subjectToken;
  try {
    const jti = decodeJWT(subjectToken).payload.jti;
    if (typeof jti === 'string' && jti !== '') id = `jti:${jti}`;
  } catch {
    // Not a JWT we can read: the issuer will say so; key by the text.
  }
  return `${id}\u0000${audience}\u0000${scope ?? ''}`;
}

/**
 * Exchanged cards per (subject jti, audience, scope), until shortly before they expire, bounded in
 * entries; one request in flight per key.
 */
export class ExchangeCache<T extends { refreshAtMs: number }> {
  readonly #entries = new Map<string, T>();
  readonly #inflight = new Map<string, Promise<T>>();

  get(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (now < entry.refreshAtMs) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  /** Runs `fetch` unless one is in flight for the key; stores its result. */
  load(key: string, now: number, fetch: () => Promise<T>): Promise<T> {
    let pending = this.#inflight.get(key);
    if (pending !== undefined) return pending;
    pending = fetch()
      .then((entry) => {
        this.#store(key, entry, now);
        return entry;
      })
      .finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, pending);
    return pending;
  }

  clear(): void {
    this.#entries.clear();
  }

  #store(key: string, entry: T, now: number): void {
    if (this.#entries.size >= MAX_ENTRIES) {
      for (const [k, e] of this.#entries) if (now >= e.refreshAtMs) this.#entries.delete(k);
      if (this.#entries.size >= MAX_ENTRIES)
        this.#entries.delete(this.#entries.keys().next().value as string);
    }
    this.#entries.set(key, entry);
  }
}
