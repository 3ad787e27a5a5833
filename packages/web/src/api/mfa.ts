/**
 * The signed-in person's second factors (card of audience keycard): the list, TOTP enrolment and
 * removal, passkeys (add with the browser's WebAuthn, rename, remove) and recovery codes. Removing
 * a factor and new recovery codes need a recent sign-in (401 ERR_STEP_UP_REQUIRED otherwise).
 */
import {
  type PublicKeyCredentialCreationOptionsJSON,
  startRegistration,
  WebAuthnError,
} from '@simplewebauthn/browser';
import { AppError } from '../lib/errors.js';
import type { SessionManager } from '../session/session-manager.js';

/** One passkey of the account (`GET /api/account/mfa`; times in epoch seconds). */
export interface AccountPasskey {
  id: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  backed_up: boolean;
  device_type: 'singleDevice' | 'multiDevice';
}

/** `GET /api/account/mfa`. */
export interface AccountFactors {
  totp: { enabled: boolean; confirmed_at: number | null };
  passkeys: AccountPasskey[];
  recovery_codes: { remaining: number };
  /** A role of the account requires a second factor (the last one cannot be removed). */
  required: boolean;
}

/** `POST /api/mfa/totp/start`: the new secret, for the authenticator app (shown once). */
export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
  /** An SVG document of the QR code, drawn by the server. */
  qr_svg: string;
}

/** What completing an enrolment answers: recovery codes when it was the account's first factor. */
export interface EnrolResult {
  recovery_codes?: string[];
}

const id = encodeURIComponent;

/**
 * The account's factors.
 *
 * @example
 * const factors = await getFactors(manager);
 */
export function getFactors(session: SessionManager): Promise<AccountFactors> {
  return session.request<AccountFactors>('/api/account/mfa');
}

/** Starts (or restarts) a TOTP enrolment; it takes effect only once confirmed with a code. */
export function startTotp(session: SessionManager): Promise<TotpEnrolment> {
  return session.request<TotpEnrolment>('/api/mfa/totp/start', { method: 'POST', body: {} });
}

/** Confirms the TOTP enrolment with a code from the app (ERR_MFA_INVALID when wrong). */
export async function confirmTotp(session: SessionManager, code: string): Promise<EnrolResult> {
  return (
    (await session.request<EnrolResult | undefined>('/api/mfa/totp/confirm', {
      method: 'POST',
      body: { code },
    })) ?? {}
  );
}

/** Removes the authenticator app (recent sign-in needed). */
export function removeTotp(session: SessionManager): Promise<void> {
  return session.request<void>('/api/account/mfa/totp', { method: 'DELETE' });
}

/** New recovery codes, shown once; the old ones stop working (recent sign-in needed). */
export async function regenerateRecoveryCodes(session: SessionManager): Promise<string[]> {
  const body = await session.request<{ recovery_codes: string[] }>('/api/account/mfa/recovery-codes', {
    method: 'POST',
    body: {},
  });
  return body.recovery_codes;
}

/** Renames a passkey. */
export function renamePasskey(session: SessionManager, passkeyId: string, name: string): Promise<unknown> {
  return session.request<unknown>(`/api/account/passkeys/${id(passkeyId)}`, {
    method: 'PATCH',
    body: { name },
  });
}

/** Removes a passkey (recent sign-in needed). */
export function removePasskey(session: SessionManager, passkeyId: string): Promise<void> {
  return session.request<void>(`/api/account/passkeys/${id(passkeyId)}`, { method: 'DELETE' });
}

/** What the browser's WebAuthn refusal means for the person. */
function passkeyError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof WebAuthnError && err.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
    return AppError.of('ERR_PASSKEY_EXISTS', { cause: err });
  // NotAllowedError: the person closed the prompt, or it timed out (the spec does not tell them apart).
  const name = err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError')
    return AppError.of('ERR_PASSKEY_CANCELLED', { cause: err });
  return AppError.of('ERR_PASSKEY_UNSUPPORTED', { cause: err });
}

/**
 * Adds a passkey: the server's options, the browser's WebAuthn ceremony (the authenticator asks
 * for its PIN or biometric), then the server checks and stores it under `name`.
 *
 * @example
 * const { recovery_codes } = await addPasskey(manager, 'Laptop');
 */
export async function addPasskey(
  session: SessionManager,
  name: string,
): Promise<EnrolResult & { passkey?: AccountPasskey }> {
  const { options, challenge } = await session.request<{
    options: PublicKeyCredentialCreationOptionsJSON;
    challenge: string;
  }>('/api/mfa/passkeys/options', { method: 'POST', body: {} });
  let response: unknown;
  try {
    response = await startRegistration({ optionsJSON: options });
  } catch (err) {
    throw passkeyError(err);
  }
  return (
    (await session.request<(EnrolResult & { passkey?: AccountPasskey }) | undefined>('/api/mfa/passkeys', {
      method: 'POST',
      body: { name, challenge, response },
    })) ?? {}
  );
}
