export {
  checkEmail,
  emailKey,
  type RequestEmailChangeDeps,
  type RequestPasswordResetDeps,
  type ResetPasswordDeps,
  requestEmailChange,
  requestPasswordReset,
  resetPassword,
  type SignUpDeps,
  type SignUpInput,
  signUp,
  type VerifyEmailDeps,
  verifyEmailToken,
} from './accounts/index.js';
export type { AuditLog, AuditType } from './audit/index.js';
export {
  type BackchannelLogout,
  type BackchannelLogoutDeps,
  type BackchannelLogoutNotice,
  closeWaitMs,
} from './authorize/backchannel-logout.js';
export {
  type EndBrowserSessionDeps,
  type EndBrowserSessionOptions,
  endBrowserSession,
  endUserBrowserSessions,
} from './authorize/end-browser-session.js';
export { type RevokeConsentDeps, revokeConsent } from './authorize/revoke-consent.js';
export {
  type AuthenticateClientDeps,
  authenticateClient,
  CLIENT_ASSERTION_ALGORITHMS,
  CLIENT_ASSERTION_TYPE,
  type ClientAssertionDeps,
  type ClientRulesDeps,
  type CreateClientDeps,
  type CreateClientInput,
  createClient,
  type DeleteClientDeps,
  deleteClient,
  publicClient,
  type SeedDefaultsDeps,
  seedDefaults,
  type UpdateClientDeps,
  type UpdateClientInput,
  USER_ID_SHAPE,
  updateClient,
  WEB_CLIENT_GRANTS,
  webAppRedirectUri,
} from './clients/index.js';
export {
  configSchema,
  ENV_OPTIONS,
  type EnvOption,
  type KeycardConfig,
  type KeycardConfigInput,
  loadConfig,
  parseConfig,
} from './config/index.js';
export {
  API_AUDIENCE,
  type Clock,
  type CustomClaimsContext,
  type CustomClaimsHook,
  type Logger,
  type RequestInfo,
  type RevocationPublishDeps,
  SCRIPT_CLIENT_ID,
  type ServerContext,
  WEB_CLIENT_ID,
} from './context.js';
export {
  type Coordinator,
  type CoordinatorHealth,
  createCoordinator,
  createMemoryCoordinator,
  createRedisCoordinator,
  type InvalidationTarget,
  type RateLimitResult,
} from './coordinator/index.js';
export { createServer, type KeycardServer } from './create-server.js';
export { openDataDir } from './data-dir.js';
export { deleteAudience, deleteRole, saveAudience, saveRole } from './directory/index.js';
export {
  isServerError,
  type OAuthErrorName,
  SERVER_ERRORS,
  ServerError,
  type ServerErrorCode,
  type StepUpNeed,
} from './errors.js';
export { type PruneDeps, type RunMaintenanceDeps, runMaintenance } from './jobs/index.js';
export {
  type KeyInfo,
  type KeyManager,
  type RevokeSigningKeyDeps,
  revokeSigningKey,
  type SignedTokenTyp,
} from './keys/index.js';
export { REDACT_PATHS } from './logger.js';
export {
  createMailer,
  emailChanged,
  escapeHtml,
  MAX_PENDING_MAIL,
  type Mailer,
  type MailerOptions,
  type MailMessage,
  mailCloseWaitMs,
  passwordReset,
  signupExisting,
  verifyEmail,
} from './mail/index.js';
export {
  type ChangeBy,
  MAX_PASSKEYS_PER_USER,
  type ManageFactorsDeps,
  type MfaReset,
  type MfaSummary,
  mfaSummary,
  regenerateRecoveryCodes,
  removePasskey,
  removeTotp,
  renamePasskey,
  resetMfa,
} from './mfa/index.js';
export {
  type CreateServerOptions,
  type OpenServices,
  type OpenServicesOptions,
  openServices,
  storageConfigFor,
} from './services.js';
export {
  ACCESS_TOKEN_TYPE,
  type AuthorizationCodeInput,
  type ClientCredentialsDeps,
  type CreateRefreshTokenDeps,
  clientCredentials,
  type ExchangeAuthorizationCodeDeps,
  type ExchangeTokenDeps,
  exchangeAuthorizationCode,
  exchangeToken,
  type RevokeSessionDeps,
  refreshSession,
  revokeSession,
  revokeUserSessions,
  type SignInDeps,
  signIn,
  type TokenSet,
} from './sessions/index.js';
export * from './storage/index.js';
export {
  type GrantedScopesDeps,
  type IssueAccessTokenDeps,
  issueAccessToken,
  type NamedAudiencesDeps,
  type ScopesForDeps,
  type VerifyAccessTokenDeps,
  verifyAccessToken,
} from './tokens/index.js';
export {
  type AuthenticateUserDeps,
  type ChangePasswordDeps,
  type CreateUserDeps,
  type CreateUserInput,
  changePassword,
  createUser,
  type DeleteUserDeps,
  deleteUser,
  lookupKey,
  publicUserRecord,
  type RevokeSubjectDeps,
  type UpdateUserDeps,
  type UpdateUserInput,
  updateUser,
} from './users/index.js';
