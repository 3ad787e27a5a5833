/**
 * The browser session. Cards live only in this object's memory (never in localStorage or
 * sessionStorage), the refresh token only in the HttpOnly cookie, the DPoP key only inside
 * WebCrypto (IndexedDB keeps the non-extractable key). A session begins with the code of the
 * front desk's sign-in pages (code-flow.ts), exchanged here. One card per audience: the API card
 * (`keycard`) for `/api/*`, and a card per door minted on demand ({@link DoorCards}). Refreshes
 * happen shortly before expiry, one at a time across tabs, and the result is shared.
 */
import type { CodeLoginInput } from '@keycard/protocol';
import type { CallCredentials } from '../api/auth.js';
import * as auth from '../api/auth.js';
import type { RequestOptions } from '../api/http.js';
import { apiRequest } from '../api/http.js';
import type { TokenResponse } from '../api/types.js';
import { needsRefresh, refreshDelayMs } from '../lib/countdown.js';
import { AppError, messageOf } from '../lib/errors.js';
import { API_AUDIENCE, type Card, cardFrom } from './card.js';
import type { ResumePage, SignInResume } from './code-flow.js';
import { DoorCards } from './door-cards.js';
import type { ProofSigner } from './proofs.js';
import {
  canSkipRefresh,
  logoutEndsSession,
  refreshFailureAction,
  sessionRefused,
  shouldAdoptShared,
} from './rules.js';
import type { TabMessage, TabSync } from './tab-sync.js';

/** What the app says when the server refuses a session it held (e.g. an admin revoked it). */
export const REVOKED_NOTICE = 'Your card was revoked: this session has ended. Please sign in again.';

export type SessionStatus = 'loading' | 'signed-in' | 'signed-out';

/** Why the last sign-in did not complete, for the sign-in page (which then waits for a click). */
export interface SignInFailure {
  code: string;
  message: string;
}

export interface SessionState {
  status: SessionStatus;
  /** The API card (audience `keycard`, signed-in only). */
  card: Card | undefined;
  /** The door cards held, by audience (signed-in only). */
  doorCards: Record<string, Card>;
  /** The API card of the session that just ended, kept in memory to show the doors refuse it. */
  oldCard: Card | undefined;
  /** The door cards of the session that just ended, by audience. */
  oldDoorCards: Record<string, Card>;
  /** A short sentence for the status region (e.g. "You checked out in another tab."). */
  notice: string | undefined;
  /**
   * The session ended because the server refused it (revoked by an admin, signed out elsewhere):
   * a refresh was refused, or a door or the API answered 401 and no new card could be minted.
   */
  revoked: boolean;
  /** The sign-in answer this page was opened with could not be used (until the next sign-in). */
  signInError: SignInFailure | undefined;
}

export class SessionManager {
  private state: SessionState = {
    status: 'loading',
    card: undefined,
    doorCards: {},
    oldCard: undefined,
    oldDoorCards: {},
    notice: undefined,
    revoked: false,
    signInError: undefined,
  };
  private readonly listeners = new Set<(state: SessionState) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: Promise<boolean> | undefined;
  // Sessions checked out here or in another tab: a late refresh answer for them is dropped.
  private readonly endedSessions = new Set<string>();
  private unsubscribeSync: (() => void) | undefined;
  private readonly doors: DoorCards;
  // The door the sign-in this page came back from was for: opened again once, by the front desk.
  private resumeDoor: string | undefined;
  // The page a "Confirm it's you" sign-in was for: opened again once, by the app shell.
  private resumePage: ResumePage | undefined;

  constructor(
    private readonly sync: TabSync,
    readonly proofs: ProofSigner,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.doors = new DoorCards({
      sync,
      proofs,
      now,
      sessionId: () => this.state.card?.sessionId,
      endedSessions: this.endedSessions,
      changed: () => this.setState({ ...this.state, doorCards: this.doors.all() }),
      sessionEnded: () => this.endLocally(this.state.card, REVOKED_NOTICE, false, true),
    });
  }

  getState(): SessionState {
    return this.state;
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts listening to other tabs and takes up the session: with `signIn`, the code the page was
   * opened with (its checks run first; a failure is kept for the sign-in page); then, unless that
   * signed in, from the refresh cookie (if any). `resume` is what that sign-in was started for
   * (a step-up): the door to open again, the session it replaces.
   */
  async start(signIn?: () => Promise<CodeLoginInput>, resume?: SignInResume): Promise<void> {
    this.unsubscribeSync = this.sync.subscribe((message) => this.onTabMessage(message));
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', this.onVisible);
    }
    this.sync.post({ type: 'hello' });
    let failure: SignInFailure | undefined;
    if (signIn !== undefined) {
      try {
        await this.loginWithCode(await signIn());
        this.resumeAfterSignIn(resume);
        return;
      } catch (err) {
        failure = { code: err instanceof AppError ? err.code : 'ERR_UNKNOWN', message: messageOf(err) };
        this.setState({ ...this.state, signInError: failure });
      }
    }
    await this.refresh();
    // A session this browser already had goes on; it says why the new sign-in did not happen.
    if (failure !== undefined && this.state.status === 'signed-in') this.notify(failure.message);
  }

  stop(): void {
    this.unsubscribeSync?.();
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisible);
    clearTimeout(this.timer);
  }

  /**
   * Exchanges the code of the front desk's sign-in for a session bound to the DPoP key; throws
   * AppError (ERR_INVALID_GRANT for a code that expired or was used, ERR_NETWORK, …).
   */
  async loginWithCode(input: CodeLoginInput): Promise<void> {
    // In the lock: a refresh answer from another tab must not overwrite the new session's cookie.
    const proof = this.proofs.forApi('POST', '/api/login/code');
    const response = await this.sync.withRefreshLock(() => auth.loginWithCode(input, proof));
    this.adopt(response, { broadcast: true, notice: undefined });
  }

  /**
   * The door a step-up was for, handed out once (the front desk opens it again); undefined when
   * this page did not come back from one.
   */
  takeResumeDoor(): string | undefined {
    const door = this.resumeDoor;
    this.resumeDoor = undefined;
    return door;
  }

  /**
   * The page a "Confirm it's you" sign-in was for, handed out once (the app opens it again and says
   * what can be repeated); undefined when this page did not come back from one.
   */
  takeResumePage(): ResumePage | undefined {
    const page = this.resumePage;
    this.resumePage = undefined;
    return page;
  }

  /** Forgets why the last sign-in failed (a new one starts). */
  clearSignInError(): void {
    if (this.state.signInError !== undefined) this.setState({ ...this.state, signInError: undefined });
  }

  /**
   * Refreshes the API card unless another tab already did. `staleToken` is a token a call just
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

  /**
   * The card for one door's audience, minted from the session on demand (and again when due or
   * when `staleToken` was just refused). Throws AppError when signed out or the mint fails.
   *
   * @example
   * const card = await session.doorCard('rooms');
   */
  doorCard(audience: string, staleToken?: string): Promise<Card> {
    if (this.state.status !== 'signed-in') return Promise.reject(AppError.of('ERR_NOT_SIGNED_IN'));
    return this.doors.get(audience, staleToken);
  }

  /** Checks out: ends the session on the server, keeps the old cards in memory, tells other tabs. */
  async logout(): Promise<void> {
    const card = this.state.card;
    // Inside the lock so a refresh in another tab cannot rotate the cookie under us.
    await this.sync.withRefreshLock(() => auth.logout(card && this.credentials(card, 'POST', '/api/logout')));
    this.endLocally(card, undefined, true);
  }

  /** Signs out every session of the user (this one included). */
  async logoutAll(): Promise<void> {
    const card = this.requireCard();
    await auth.logoutAll(this.credentials(card, 'POST', '/api/logout-all'));
    this.endLocally(card, 'You are signed out everywhere.', true);
  }

  /** Shows a sentence in the app's status region. */
  notify(notice: string): void {
    this.setState({ ...this.state, notice });
  }

  /** Ends the session here after the server ended it (e.g. this device was signed out). */
  endLocally(card: Card | undefined, notice: string | undefined, broadcast: boolean, revoked = false): void {
    if (card?.sessionId) this.endedSessions.add(card.sessionId);
    clearTimeout(this.timer);
    const doorCards = this.doors.clear();
    const ended = card !== undefined;
    this.setState({
      status: 'signed-out',
      card: undefined,
      doorCards: {},
      oldCard: card ?? this.state.oldCard,
      oldDoorCards: ended ? doorCards : this.state.oldDoorCards,
      notice,
      revoked: ended && revoked,
      signInError: this.state.signInError,
    });
    if (broadcast) this.sync.post({ type: 'logout', sessionId: card?.sessionId });
  }

  /**
   * An authenticated call to the own API with the API card (DPoP-bound: with a proof). On 401
   * the card is refreshed once and the call retried (another tab may have rotated it).
   *
   * @example
   * const { sessions } = await session.request<{ sessions: SessionInfo[] }>('/api/sessions');
   */
  async request<T>(path: string, options: RequestOptions & { retryOn401?: boolean } = {}): Promise<T> {
    const card = this.requireCard();
    const method = options.method ?? 'GET';
    const call = (c: Card) => apiRequest<T>(path, { ...options, ...this.callOptions(c, method, path) });
    try {
      return await call(card);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 401 || options.retryOn401 === false) throw err;
      // A fresh card of the same sign-in would be refused the same way: the person must sign in again.
      if (err.code === 'ERR_STEP_UP_REQUIRED') throw err;
      const refreshed = await this.refresh(card.token);
      const next = this.state.card;
      if (!refreshed || !next || next.token === card.token) throw err;
      return call(next);
    }
  }

  private credentials(card: Card, method: string, path: string): CallCredentials {
    const proof = card.tokenType === 'DPoP' ? this.proofs.forApi(method, path, card.token) : undefined;
    return { token: card.token, tokenType: card.tokenType, proof };
  }

  private callOptions(card: Card, method: string, path: string): RequestOptions {
    const { token, tokenType, proof } = this.credentials(card, method, path.split('?')[0] ?? path);
    return { token, tokenType, proof };
  }

  private resumeAfterSignIn(resume: SignInResume | undefined): void {
    if (resume === undefined) return;
    this.resumeDoor = resume.door;
    this.resumePage = resume.page;
    const old = resume.supersedes;
    // The step-up signed in anew and the old session's refresh cookie is gone: end that session
    // now rather than leave it live until it expires. Best effort: it ends on its own anyway.
    if (old !== undefined && old !== this.state.card?.sessionId) {
      this.request(`/api/sessions/${encodeURIComponent(old)}`, { method: 'DELETE', retryOn401: false }).catch(
        () => {},
      );
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
      const response = await auth.refresh(API_AUDIENCE, this.proofs.forApi('POST', '/api/refresh'));
      return this.adopt(response, { broadcast: true, notice: undefined });
    } catch (err) {
      const wasLoading = this.state.status === 'loading';
      const next = refreshFailureAction(err, current !== undefined, wasLoading);
      if (next.action === 'retry') this.schedule(next.delayMs);
      else if (current !== undefined && !wasLoading && sessionRefused(err))
        this.endLocally(current, REVOKED_NOTICE, false, true);
      else this.endLocally(current, next.notice, false);
      return false;
    }
  }

  /** Takes an API card into use; returns false when it belongs to a session that was checked out. */
  private adopt(response: TokenResponse, opts: { broadcast: boolean; notice: string | undefined }): boolean {
    const card = cardFrom(response, this.now(), API_AUDIENCE);
    if (card.sessionId && this.endedSessions.has(card.sessionId)) return false;
    // Door cards of another session (a new sign-in) are not this session's.
    if (this.state.card?.sessionId !== card.sessionId) this.doors.clear();
    this.setState({
      ...this.state,
      status: 'signed-in',
      card,
      doorCards: this.doors.all(),
      oldCard: undefined,
      oldDoorCards: {},
      notice: opts.notice,
      revoked: false,
      signInError: undefined,
    });
    this.schedule(refreshDelayMs(card.exp, card.iat, this.now()));
    if (opts.broadcast) this.sync.post({ type: 'token', audience: API_AUDIENCE, response });
    return true;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  private onTabMessage(message: TabMessage): void {
    if (message.type === 'hello') {
      if (!this.state.card) return;
      this.sync.post({ type: 'token', audience: API_AUDIENCE, response: this.state.card.response });
      for (const [audience, card] of Object.entries(this.doors.all())) {
        this.sync.post({ type: 'token', audience, response: card.response });
      }
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
    const incoming = cardFrom(message.response, this.now(), message.audience);
    if (message.audience !== API_AUDIENCE) {
      if (this.state.status === 'signed-in') this.doors.offer(incoming);
      return;
    }
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
