export type { AuditLog, AuditType } from './audit/index.js';
export {
  authenticateClient,
  type CreateClientInput,
  createClient,
  deleteClient,
  publicClient,
  seedDefaults,
  type UpdateClientInput,
  USER_ID_SHAPE,
  updateClient,
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
} from './errors.js';
export { runMaintenance } from './jobs/index.js';
export { type KeyInfo, type KeyManager, revokeSigningKey } from './keys/index.js';
export { REDACT_PATHS } from './logger.js';
export {
  type CreateServerOptions,
  type OpenServices,
  type OpenServicesOptions,
  openServices,
  storageConfigFor,
} from './services.js';
export {
  ACCESS_TOKEN_TYPE,
  clientCredentials,
  exchangeToken,
  refreshSession,
  revokeSession,
  revokeUserSessions,
  signIn,
  type TokenSet,
} from './sessions/index.js';
export * from './storage/index.js';
export { issueAccessToken, verifyAccessToken } from './tokens/index.js';
export {
  type CreateUserInput,
  changePassword,
  createUser,
  deleteUser,
  lookupKey,
  publicUserRecord,
  type UpdateUserInput,
  updateUser,
} from './users/index.js';
