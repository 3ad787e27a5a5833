/**
 * The browser session: the access token lives only in this object's memory (never in
 * localStorage or sessionStorage), the refresh token only in the HttpOnly cookie. Refreshes
 * happen shortly before expiry, one at a time across tabs, and the result is shared.
 */
import * as auth from '../api/auth.js';
import type { RequestOptions } from '../api/http.js';
import { apiRequest } from '../api/http.js';
import type { TokenResponse } from '../api/types.js';
import { needsRefresh, refreshDelayMs } from '../lib/countdown.js';
import { AppError } from '../lib/errors.js';
import type { Card } from './card.js';
import { cardFrom } from './card.js';
import { canSkipRefresh, logoutEndsSession, refreshFailureAction, shouldAdoptShared } from './rules.js';
import type { TabMessage, TabSync } from './tab-sync.js';

export type SessionStatus = 'loading' | 'signed-in' | 'signed-out';

export interface SessionState {
  status: SessionStatus;
  /** The card in use (signed-in only). */
  card: Card | undefined;
  /** The card of the session that just ended, kept in memory to show the doors refuse it. */
  oldCard: Card | undefined;
  /** A short sentence for the status region (e.g. "You checked out in another tab."). */
  notice: string | undefined;
}

export class SessionManager {
  private state: SessionState = { status: 'loading', card: undefined, oldCard: undefined, notice: undefined };
  private readonly listeners = new Set<(state: SessionState) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: Promise<boolean> | undefined;
  // Sessions checked out here or in another tab: a late refresh answer for them is dropped.
  private readonly endedSessions = new Set<string>();
  private unsubscribeSync: (() => void) | undefined;

  constructor(
    private readonly sync: TabSync,
    private readonly now: () => number = () => Date.now(),
  ) {}

  getState(): SessionState {
    return this.state;
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Restores the session from the refresh cookie (if any) and starts listening to other tabs. */
  async start(): Promise<void> {
    this.unsubscribeSync = this.sync.subscribe((message) => this.onTabMessage(message));
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', this.onVisible);
    }
    this.sync.post({ type: 'hello' });
    await this.refresh();
  }

  stop(): void {
    this.unsubscribeSync?.();
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisible);
    clearTimeout(this.timer);
  }

  /** Signs in with the cookie flow; throws AppError (401, 429 with retryAfter, ERR_NETWORK). */
  async login(username: string, password: string): Promise<void> {
    // In the lock: a refresh answer from another tab must not overwrite the new session's cookie.
    const response = await this.sync.withRefreshLock(() => auth.login(username, password));
    this.adopt(response, { broadcast: true, notice: undefined });
  }

  /**
   * Refreshes the card unless another tab already did. `staleToken` is a token a call just
   * saw refused: refresh even if it looks fresh, unless the card has changed since.
   * Resolves true when a usable card is held afterwards.
   */
  refresh(staleToken?: string): Promise<boolean> {
    if (this.inflight) return this.inflight;
    const run = this.sync.withRefreshLock(() => this.refreshLocked(staleToken));
    this.inflight = run.finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Checks out: ends the session on the server, keeps the old card in memory, tells other tabs. */
  async logout(): Promise<void> {
    const card = this.state.card;
    // Inside the lock so a refresh in another tab cannot rotate the cookie under us.
    await this.sync.withRefreshLock(() => auth.logout(card?.token));
    this.endLocally(card, undefined, true);
  }

  /** Signs out every session of the user (this one included). */
  async logoutAll(): Promise<void> {
    const card = this.requireCard();
    await auth.logoutAll(card.token);
    this.endLocally(card, 'You are signed out everywhere.', true);
  }

  /** Shows a sentence in the app's status region. */
  notify(notice: string): void {
    this.setState({ ...this.state, notice });
  }

  /** Ends the session here after the server ended it (e.g. this device was signed out). */
  endLocally(card: Card | undefined, notice: string | undefined, broadcast: boolean): void {
    if (card?.sessionId) this.endedSessions.add(card.sessionId);
    clearTimeout(this.timer);
    this.setState({ status: 'signed-out', card: undefined, oldCard: card ?? this.state.oldCard, notice });
    if (broadcast) this.sync.post({ type: 'logout', sessionId: card?.sessionId });
  }

  /**
   * An authenticated call to the own API with the current card. On 401 the card is
   * refreshed once and the call retried (another tab may have rotated it).
   *
   * @example
   * const { sessions } = await session.request<{ sessions: SessionInfo[] }>('/api/sessions');
   */
  async request<T>(path: string, options: RequestOptions & { retryOn401?: boolean } = {}): Promise<T> {
    const card = this.requireCard();
    try {
      return await apiRequest<T>(path, { ...options, token: card.token });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 401 || options.retryOn401 === false) throw err;
      const refreshed = await this.refresh(card.token);
      const next = this.state.card;
      if (!refreshed || !next || next.token === card.token) throw err;
      return apiRequest<T>(path, { ...options, token: next.token });
    }
  }

  private requireCard(): Card {
    const card = this.state.card;
    if (!card) throw AppError.of('ERR_NOT_SIGNED_IN');
    return card;
  }

  private async refreshLocked(staleToken: string | undefined): Promise<boolean> {
    const current = this.state.card;
    // While we waited for the lock another tab may have refreshed and shared its card.
    if (canSkipRefresh(current, staleToken, this.now())) return true;
    try {
      const response = await auth.refresh();
      return this.adopt(response, { broadcast: true, notice: undefined });
    } catch (err) {
      const next = refreshFailureAction(err, current !== undefined, this.state.status === 'loading');
      if (next.action === 'retry') this.schedule(next.delayMs);
      else this.endLocally(current, next.notice, false);
      return false;
    }
  }

  /** Takes a card into use; returns false when it belongs to a session that was checked out. */
  private adopt(response: TokenResponse, opts: { broadcast: boolean; notice: string | undefined }): boolean {
    const card = cardFrom(response, this.now());
    if (card.sessionId && this.endedSessions.has(card.sessionId)) return false;
    this.setState({ status: 'signed-in', card, oldCard: undefined, notice: opts.notice });
    this.schedule(refreshDelayMs(card.exp, card.iat, this.now()));
    if (opts.broadcast) this.sync.post({ type: 'token', response });
    return true;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  private onTabMessage(message: TabMessage): void {
    if (message.type === 'hello') {
      if (this.state.card) this.sync.post({ type: 'token', response: this.state.card.response });
      return;
    }
    if (message.type === 'logout') {
      if (message.sessionId) this.endedSessions.add(message.sessionId);
      const card = this.state.card;
      if (card && logoutEndsSession(card.sessionId, message.sessionId)) {
        this.endLocally(card, 'You checked out in another tab.', false);
      }
      return;
    }
    const incoming = cardFrom(message.response, this.now());
    if (!shouldAdoptShared(this.state.card, incoming, this.endedSessions)) return;
    // A new tab picking up the card is routine; a signed-out tab being signed in is news.
    const notice = this.state.status === 'signed-out' ? 'Signed in from another tab.' : undefined;
    this.adopt(message.response, { broadcast: false, notice });
  }

  private readonly onVisible = (): void => {
    const card = this.state.card;
    if (document.visibilityState === 'visible' && card && needsRefresh(card.exp, card.iat, this.now())) {
      void this.refresh();
    }
  };

  private setState(next: SessionState): void {
    this.state = next;
    for (const listener of this.listeners) listener(next);
  }
}
