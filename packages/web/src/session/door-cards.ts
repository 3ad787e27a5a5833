/**
 * The door cards of a session: one card per door service (one audience each), minted from the
 * session on demand with `/api/refresh { audience }`, kept in memory only and minted again when
 * due. Every mint rotates the refresh cookie, so it runs under the tab lock, like any refresh.
 */
import * as auth from '../api/auth.js';
import { AppError } from '../lib/errors.js';
import type { Card } from './card.js';
import { cardFrom } from './card.js';
import type { ProofSigner } from './proofs.js';
import { canSkipRefresh, sessionRefused, shouldAdoptShared } from './rules.js';
import type { TabSync } from './tab-sync.js';

export interface DoorCardsDeps {
  sync: TabSync;
  proofs: ProofSigner;
  now: () => number;
  /** The session the door cards belong to (undefined: signed out). */
  sessionId: () => string | undefined;
  /** Sessions checked out here or elsewhere: their cards are never taken. */
  endedSessions: ReadonlySet<string>;
  /** Called when the cards change (to re-render). */
  changed: () => void;
  /** Called when a mint shows the session is over (401 from /api/refresh). */
  sessionEnded: () => void;
}

export class DoorCards {
  private cards: Record<string, Card> = {};
  private readonly inflight = new Map<string, Promise<Card>>();

  constructor(private readonly deps: DoorCardsDeps) {}

  /** The cards held now, by audience. */
  all(): Record<string, Card> {
    return this.cards;
  }

  /** Forgets every door card (check-out, a new session) and returns what was held. */
  clear(): Record<string, Card> {
    const held = this.cards;
    this.cards = {};
    this.deps.changed();
    return held;
  }

  /**
   * The card for `audience`, minted if there is none, it is due, or it is `staleToken` (a door
   * just refused it). One mint per audience at a time in this tab, one refresh across tabs.
   */
  get(audience: string, staleToken?: string): Promise<Card> {
    const held = this.cards[audience];
    if (canSkipRefresh(held, staleToken, this.deps.now()) && held) return Promise.resolve(held);
    const running = this.inflight.get(audience);
    if (running) return running;
    const run = this.deps.sync
      .withRefreshLock(() => this.mintLocked(audience, staleToken))
      .finally(() => this.inflight.delete(audience));
    this.inflight.set(audience, run);
    return run;
  }

  /** A card another tab minted: kept when it is for this session and newer than ours. */
  offer(card: Card): void {
    if (card.sessionId !== undefined && card.sessionId !== this.deps.sessionId()) return;
    if (!shouldAdoptShared(this.cards[card.audience], card, this.deps.endedSessions)) return;
    this.cards = { ...this.cards, [card.audience]: card };
    this.deps.changed();
  }

  private async mintLocked(audience: string, staleToken: string | undefined): Promise<Card> {
    // While we waited for the lock another tab may have minted one and shared it.
    const shared = this.cards[audience];
    if (canSkipRefresh(shared, staleToken, this.deps.now()) && shared) return shared;
    let response: Awaited<ReturnType<typeof auth.refresh>>;
    try {
      response = await auth.refresh(audience, this.deps.proofs.forApi('POST', '/api/refresh'));
    } catch (err) {
      if (sessionRefused(err)) this.deps.sessionEnded();
      throw err;
    }
    const card = cardFrom(response, this.deps.now(), audience);
    if (card.sessionId && this.deps.endedSessions.has(card.sessionId)) throw AppError.of('ERR_NOT_SIGNED_IN');
    this.cards = { ...this.cards, [audience]: card };
    this.deps.changed();
    this.deps.sync.post({ type: 'token', audience, response });
    return card;
  }
}
