/**
 * The authorization pages' calls (`POST /api/authorize/*`): each carries the sealed request from
 * the page's link (`#/authorize?i=…`); consent and continue also the browser session's CSRF token
 * from the last details. No card, no DPoP: the front desk's browser session is an HttpOnly cookie.
 */
import {
  AUTHORIZE_API,
  type AuthorizeAnswer,
  type AuthorizeConsentInput,
  type AuthorizeDetails,
  type AuthorizeLoginInput,
} from '@keycard/protocol';
import { apiRequest } from './http.js';

/** What the page shows for the request. */
export function authorizeDetails(interaction: string): Promise<AuthorizeDetails> {
  return apiRequest<AuthorizeDetails>(AUTHORIZE_API.details, { method: 'POST', body: { interaction } });
}

/** Signs in at the front desk for the request: back to the app, or the next step. */
export function authorizeLogin(input: AuthorizeLoginInput): Promise<AuthorizeAnswer> {
  return apiRequest<AuthorizeAnswer>(AUTHORIZE_API.login, { method: 'POST', body: input });
}

/** Allow or deny: always back to the app (with a code, or `access_denied`). */
export function authorizeConsent(
  input: AuthorizeConsentInput,
  csrf: string | undefined,
): Promise<AuthorizeAnswer> {
  return apiRequest<AuthorizeAnswer>(AUTHORIZE_API.consent, { method: 'POST', body: input, csrf });
}

/** "Continue as …": back to the app, or the consent step. */
export function authorizeContinue(interaction: string, csrf: string | undefined): Promise<AuthorizeAnswer> {
  return apiRequest<AuthorizeAnswer>(AUTHORIZE_API.continue, {
    method: 'POST',
    body: { interaction },
    csrf,
  });
}
