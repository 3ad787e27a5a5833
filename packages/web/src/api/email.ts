/**
 * Account recovery and verification by email: the public calls of the email pages (no card: the
 * mailed token, or nothing, is the credential) and the signed-in account's address.
 */
import {
  type ChangeEmailInput,
  EMAIL_API,
  type ForgotPasswordInput,
  type Me,
  type ResetPasswordInput,
  type SignupInput,
  type VerifyEmailInput,
} from '@keycard/protocol';
import type { SessionManager } from '../session/session-manager.js';
import { apiRequest } from './http.js';

/** The account's email as `/api/me` shows it. */
export interface AccountEmail {
  email: string | null;
  verified: boolean;
}

/**
 * POST /api/password/forgot: always answers the same (202), whether or not the login exists.
 *
 * @example
 * await requestPasswordReset('alice');
 */
export async function requestPasswordReset(login: string): Promise<void> {
  const body: ForgotPasswordInput = { login };
  await apiRequest<unknown>(EMAIL_API.forgotPassword, { method: 'POST', body });
}

/**
 * POST /api/password/reset: sets the new password with the mailed token (single use); the server
 * signs the account out everywhere. Throws ERR_EMAIL_TOKEN_INVALID for a used or expired link.
 *
 * @example
 * await resetPassword(token, 'a new long passphrase');
 */
export async function resetPassword(token: string, password: string): Promise<void> {
  const body: ResetPasswordInput = { token, password };
  await apiRequest<void>(EMAIL_API.resetPassword, { method: 'POST', body });
}

/**
 * POST /api/signup: always 202 (an existing username or email gets a mail, not an error).
 *
 * @example
 * await signUp({ username: 'dora', email: 'dora@example.com', password: '…' });
 */
export async function signUp(input: SignupInput): Promise<void> {
  await apiRequest<unknown>(EMAIL_API.signup, { method: 'POST', body: input });
}

/**
 * POST /api/email/verify with the mailed token (single use).
 *
 * @example
 * await verifyEmail(token);
 */
export async function verifyEmail(token: string): Promise<void> {
  const body: VerifyEmailInput = { token };
  await apiRequest<void>(EMAIL_API.verifyEmail, { method: 'POST', body });
}

/**
 * The signed-in account's email and whether it is verified (`GET /api/me`).
 *
 * @example
 * const { email, verified } = await accountEmail(manager);
 */
export async function accountEmail(session: SessionManager): Promise<AccountEmail> {
  const me = await session.request<Me>('/api/me');
  return { email: me.email, verified: me.email_verified };
}

/**
 * PUT /api/account/email: stores the new address unverified and mails it a verification link.
 *
 * @example
 * await changeEmail(manager, 'alice@example.com');
 */
export async function changeEmail(session: SessionManager, email: string): Promise<void> {
  const body: ChangeEmailInput = { email };
  await session.request<unknown>(EMAIL_API.accountEmail, { method: 'PUT', body });
}
