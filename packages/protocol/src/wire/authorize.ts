/**
 * The sign-in and consent pages of the authorization-code flow and the JSON API they call
 * (`POST /api/authorize/*`). `/oauth/authorize` sends the browser to `{issuer}/#/authorize?i=…`,
 * where `i` is the pending request sealed by the server (opaque to the page). Times in seconds.
 */

/**
 * Paths of the pages' JSON API, relative to the issuer (POST, JSON only, same origin only): the
 * sign-in and consent pages', and the sign-out confirmation page's (`logoutDetails`, `logout`).
 */
export const AUTHORIZE_API = {
  details: '/api/authorize/details',
  login: '/api/authorize/login',
  consent: '/api/authorize/consent',
  continue: '/api/authorize/continue',
  logoutDetails: '/api/authorize/logout/details',
  logout: '/api/authorize/logout',
} as const;

/** The web app's route of the authorization page, and the name of its query parameter. */
export const AUTHORIZE_ROUTE = { path: '/authorize', interaction: 'i' } as const;

/**
 * What the page shows next: the sign-in form, the consent question, or (already signed in, nothing
 * to ask) "Continue as …".
 */
export type AuthorizeStep = 'login' | 'consent' | 'continue';

/** `POST /api/authorize/details` `{ interaction }`, and the `details` of the other calls' answers. */
export interface AuthorizeDetails {
  /** The app asking. A first-party client is never asked consent for. */
  client: { id: string; name: string; firstParty: boolean };
  /**
   * The scopes the app would get: before sign-in, those it asked for that it is registered for;
   * after, narrowed to what the person's roles grant (identity scopes stay).
   */
  scopes: string[];
  /** The doors (audiences) its cards would open, with their display names. */
  audiences: { id: string; name: string }[];
  /** Who is signed in at the front desk in this browser, if anyone. */
  user: { id: string; username: string } | null;
  step: AuthorizeStep;
  /** The request's `login_hint`: a username to prefill. */
  loginHint?: string;
  /** With a browser session: its CSRF token, sent back as `X-CSRF-Token` on consent and continue. */
  csrf?: string;
  /** When the link stops working (seconds). */
  expiresAt: number;
}

/** `POST /api/authorize/login` `{ interaction, username, password }`. */
export interface AuthorizeLoginInput {
  interaction: string;
  username: string;
  password: string;
}

/** `POST /api/authorize/consent` `{ interaction, allow }` with `X-CSRF-Token`. */
export interface AuthorizeConsentInput {
  interaction: string;
  allow: boolean;
}

/**
 * Answer of login, consent and continue: go back to the app (`redirect`, for
 * `window.location.assign`: the client's registered redirect URI with `code` or `error`, `state` and
 * `iss`), or show the next step.
 */
export type AuthorizeAnswer = { redirect: string } | { details: AuthorizeDetails };
