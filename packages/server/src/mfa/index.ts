export {
  AMR_VALUES,
  type AmrValue,
  passkeyAlone,
  passwordOnly,
  passwordWith,
  SECOND_FACTORS,
  type SecondFactor,
} from './amr.js';
export {
  CHALLENGE_CONTEXT,
  CHALLENGE_TTL_SECONDS,
  type ChallengePurpose,
  type IssuedChallenge,
  issueChallenge,
  openChallenge,
  useChallengeOnce,
} from './challenge.js';
export {
  type EnrolPasskeyDeps,
  type PasskeyCreation,
  type PasskeyRegistered,
  passkeyCreationOptions,
  registerPasskey,
} from './enrol-passkey.js';
export {
  confirmTotpEnrolment,
  type EnrolTotpDeps,
  startTotpEnrolment,
  type TotpConfirmed,
  type TotpEnrolment,
} from './enrol-totp.js';
export {
  factorsOf,
  hasFactor,
  issueRecoveryCodes,
  MAX_PASSKEYS_PER_USER,
  mfaRequiredByRoles,
  type RecoveryCodesReason,
  type UserFactors,
} from './factors.js';
export {
  type ChangeBy,
  type ManageFactorsDeps,
  type MfaReset,
  type MfaSummary,
  mfaSummary,
  regenerateRecoveryCodes,
  removePasskey,
  removeTotp,
  renamePasskey,
  resetMfa,
} from './manage-factors.js';
export { MAX_PASSKEY_NAME_LENGTH, passkeyName } from './passkey-name.js';
export {
  openPending,
  PENDING_CONTEXT,
  PENDING_TTL_SECONDS,
  type PendingSignIn,
  type PendingSignInInput,
  passwordFingerprint,
  pendingUser,
  sealPending,
} from './pending.js';
export { API_LOGIN_PURPOSE, pendingPurpose } from './pending-purpose.js';
export { MAX_QR_TEXT_LENGTH, qrSvg } from './qr.js';
export { type RecentAuthRule, stepUpNeed } from './recent-auth.js';
export {
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_COUNT,
} from './recovery-codes.js';
export {
  currentStep,
  generateTotpSecret,
  otpauthUri,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  TOTP_WINDOW,
  verifyTotp,
} from './totp.js';
export { openTotpSecret, sealTotpSecret, TOTP_SECRET_CONTEXT } from './totp-secret.js';
export type {
  NewPasskeyFields,
  PasskeyDescriptor,
  PasskeyForAuthentication,
  PasskeyShape,
} from './types.js';
export { MAX_USER_ID_LENGTH } from './types.js';
export {
  knownTransports,
  type RelyingParty,
  rpFromIssuer,
  SUPPORTED_ALGORITHMS,
  userHandleOf,
} from './webauthn.js';
export {
  authenticationOptions,
  type PasskeyAssertion,
  verifyAuthentication,
} from './webauthn-authenticate.js';
export { type RegisteredPasskey, registrationOptions, verifyRegistration } from './webauthn-register.js';
export { credentialIdOf, MAX_CREDENTIAL_ID_LENGTH } from './webauthn-response.js';
