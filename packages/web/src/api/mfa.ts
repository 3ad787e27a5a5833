/**
 * The signed-in person's second factors (card of audience keycard): the list, TOTP enrolment and
 * removal, passkeys (add with the browser's WebAuthn, rename, remove) and recovery codes. Removing
 * a factor and new recovery codes need a recent sign-in (401 ERR_STEP_UP_REQUIRED otherwise).
 */

import {
  type AccountMfa,
  MFA_API,
  type MfaPasskey,
  type PasskeyCreationOptions,
  type PasskeyRegistration,
  type RecoveryCodes,
  type TotpConfirmation,
  type TotpStart,
} from '@keycard/protocol';
import {
  type PublicKeyCredentialCreationOptionsJSON,
  startRegistration,
  WebAuthnError,
} from '@simplewebauthn/browser';
import { AppError } from '../lib/errors.js';
import { passkeyCancelled } from '../lib/passkeys.js';
import type { SessionManager } from '../session/session-manager.js';

/** One passkey of the account (times in epoch seconds). */
export type AccountPasskey = MfaPasskey;
/** `GET /api/account/mfa`. */
export type AccountFactors = AccountMfa;
/** `POST /api/mfa/totp/start`: the new secret, for the authenticator app (shown once). */
export type TotpEnrolment = TotpStart;

const id = encodeURIComponent;

/**
 * The account's factors.
 *
 * @example
 * const factors = await getFactors(manager);
 */
export function getFactors(session: SessionManager): Promise<AccountFactors> {
  return session.request<AccountMfa>(MFA_API.account);
}

/** Starts (or restarts) a TOTP enrolment; it takes effect only once confirmed with a code. */
export function startTotp(session: SessionManager): Promise<TotpEnrolment> {
  return session.request<TotpStart>(MFA_API.totpStart, { method: 'POST', body: {} });
}

/** Confirms the TOTP enrolment with a code from the app (ERR_MFA_INVALID when wrong). */
export function confirmTotp(session: SessionManager, code: string): Promise<TotpConfirmation> {
  return session.request<TotpConfirmation>(MFA_API.totpConfirm, { method: 'POST', body: { code } });
}

/** Removes the authenticator app (recent sign-in needed). */
export function removeTotp(session: SessionManager): Promise<void> {
  return session.request<void>(MFA_API.accountTotp, { method: 'DELETE' });
}

/** New recovery codes, shown once; the old ones stop working (recent sign-in needed). */
export async function regenerateRecoveryCodes(session: SessionManager): Promise<string[]> {
  const body = await session.request<RecoveryCodes>(MFA_API.accountRecoveryCodes, {
    method: 'POST',
    body: {},
  });
  return body.recovery_codes;
}

/** Renames a passkey. */
export function renamePasskey(session: SessionManager, passkeyId: string, name: string): Promise<unknown> {
  return session.request<unknown>(`${MFA_API.accountPasskeys}/${id(passkeyId)}`, {
    method: 'PATCH',
    body: { name },
  });
}

/** Removes a passkey (recent sign-in needed). */
export function removePasskey(session: SessionManager, passkeyId: string): Promise<void> {
  return session.request<void>(`${MFA_API.accountPasskeys}/${id(passkeyId)}`, { method: 'DELETE' });
}

/** What the browser's WebAuthn refusal means for the person. */
function passkeyError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (passkeyCancelled(err)) return AppError.of('ERR_PASSKEY_CANCELLED', { cause: err });
  if (err instanceof WebAuthnError && err.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
    return AppError.of('ERR_PASSKEY_EXISTS', { cause: err });
  return AppError.of('ERR_PASSKEY_BROWSER', { cause: err });
}

/**
 * Adds a passkey: the server's options, the browser's WebAuthn ceremony (the authenticator asks
 * for its PIN or biometric), then the server checks and stores it under `name`.
 *
 * @example
 * const { recovery_codes } = await addPasskey(manager, 'Laptop');
 */
export async function addPasskey(session: SessionManager, name: string): Promise<PasskeyRegistration> {
  const { options, challenge } = await session.request<PasskeyCreationOptions>(MFA_API.passkeyOptions, {
    method: 'POST',
    body: {},
  });
  let response: unknown;
  try {
    // The server's options are WebAuthn's creation options in their JSON form (what the browser library takes).
    response = await startRegistration({
      optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON,
    });
  } catch (err) {
    throw passkeyError(err);
  }
  return session.request<PasskeyRegistration>(MFA_API.passkeys, {
    method: 'POST',
    body: { name, challenge, response },
  });
}
