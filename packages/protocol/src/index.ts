export {
  ACR,
  ACR_VALUES,
  type Acr,
  acrFromAmr,
  acrSatisfies,
  parseStepUpChallenge,
  STEP_UP_ERROR,
  type StepUpChallenge,
} from './auth-strength.js';
export {
  type AuthorizationError,
  isWellFormedToken,
  type ParseAuthorizationOptions,
  type ParsedAuthorization,
  parseAuthorization,
} from './authorization.js';
export {
  ACCESS_TOKEN_TYP,
  ACCESS_TOKEN_TYPE,
  API_AUDIENCE,
  type AuthorizationScheme,
  BEARER_SCHEME,
  DEFAULT_REALM,
  DPOP_SCHEME,
  HEADERS,
  REVOCATION_EVENT_NAMES,
  REVOCATION_PATHS,
  TOKEN_EXCHANGE_GRANT,
  WELL_KNOWN,
} from './constants.js';
export * from './logout.js';
export * from './oidc.js';
export { isRevokedByNotBefore, revocationNotBefore } from './revocation.js';
export { fromEpochSeconds, toEpochSeconds, toEpochSecondsOrNull } from './time.js';
export {
  AUTHORIZE_API,
  AUTHORIZE_ROUTE,
  type AuthorizeAnswer,
  type AuthorizeConsentInput,
  type AuthorizeDetails,
  type AuthorizeLoginAnswer,
  type AuthorizeLoginInput,
  type AuthorizeMfaChallenge,
  type AuthorizeMfaInput,
  type AuthorizeMfaOptions,
  type AuthorizePasskeyInput,
  type AuthorizePasskeyOptions,
  type AuthorizePasskeyOptionsInput,
  type AuthorizeStep,
  type SecondFactorMethod,
} from './wire/authorize.js';
export type { AccessTokenClaims } from './wire/claims.js';
export type { DiscoveryDocument } from './wire/discovery.js';
export {
  type AccountFeatures,
  type ChangeEmailInput,
  EMAIL_API,
  EMAIL_LINK_ROUTES,
  type ForgotPasswordInput,
  type ResetPasswordInput,
  type SignupInput,
  type VerifyEmailInput,
} from './wire/email.js';
export type { ApiErrorBody, OAuthErrorBody } from './wire/errors.js';
export {
  type AccountMfa,
  MFA_API,
  type MfaEnrolmentAuth,
  type MfaPasskey,
  type PasskeyCreationOptions,
  type PasskeyRegisterInput,
  type PasskeyRegistration,
  type PasskeyRenameInput,
  type RecoveryCodes,
  type TotpConfirmation,
  type TotpConfirmInput,
  type TotpStart,
} from './wire/mfa.js';
export type {
  AccountConsent,
  AccountConsents,
  AccountSession,
  AccountSessions,
  AdminAudience,
  AdminClient,
  AdminKey,
  AdminKeys,
  AdminRole,
  AdminRoleInput,
  AdminSession,
  AdminUser,
  AdminUserListed,
  AuditEntry,
  AuditPage,
  AuditQuery,
  ClientGrant,
  ClientJwk,
  CreatedClient,
  KeyRotation,
  KeyWithdrawal,
  Me,
  NewAdminClient,
  Page,
  RegisteredUser,
} from './wire/records.js';
export type {
  KeyRevocationEvent,
  RevocationEvent,
  RevocationEventType,
  RevocationPage,
  RevocationStreamPosition,
  RoleRevocationEvent,
  SessionRevocationEvent,
  SubjectRevocationEvent,
  TokenRevocationEvent,
} from './wire/revocation-events.js';
export type {
  ApiTokenSet,
  CodeLoginInput,
  Introspection,
  SessionUser,
  TokenSet,
} from './wire/token-set.js';
