/**
 * Shapes of the keycard HTTP API (docs/http-api.md) that the app reads: the wire records come
 * from @keycard/protocol (every time in epoch seconds); only the app's own endpoints are here.
 */
import type { AccountFeatures, AccountSession, ApiTokenSet, SessionUser } from '@keycard/protocol';

export type LoginUser = SessionUser;

/** POST /api/login and POST /api/refresh (with `cookie: true` the refresh token stays in the cookie). */
export type TokenResponse = ApiTokenSet;

/** One of the signed-in user's sessions (GET /api/sessions). */
export type SessionInfo = AccountSession;

export interface Door {
  id: string;
  name: string;
  url: string;
  /** The audience of the service behind the door: the card the app mints for it. */
  audience?: string;
  /** HTTP method of the door's action (default GET). */
  method?: 'GET' | 'POST';
  description?: string;
}

export interface UiConfig {
  issuer: string;
  doors: Door[];
  /** The demo's read-only mailbox (`ui.mailbox`): what the front desk mailed, for the Mailbox page. */
  mailbox?: string;
  /** What the front desk offers by email: password reset, sign-up, address verification. */
  accounts?: AccountFeatures;
}

export interface InspectCheck {
  name: string;
  ok: boolean;
  code?: string;
  message?: string;
}

export interface InspectResult {
  header?: Record<string, unknown> | null;
  payload?: Record<string, unknown> | null;
  valid: boolean;
  checks: InspectCheck[];
}
