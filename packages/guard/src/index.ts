export { ACR, ACR_VALUES, type Acr } from '@keycard/protocol';
export type { ExchangedToken, ServiceClient, ServiceClientOptions } from './client/service-client.js';
export { createServiceClient } from './client/service-client.js';
export type { Guard } from './core/create-guard.js';
export { createGuard } from './core/create-guard.js';
export type { ResolvedOptions } from './core/options.js';
export { DEFAULT_ALGORITHMS } from './core/options.js';
export type { BearerErrorAttribute, GuardErrorCode, GuardErrorDetails } from './errors.js';
export { GuardError, guardErrorCodes, isGuardError } from './errors.js';
export type { ErrorResponseOptions, ErrorResponseParts } from './http/error-response.js';
export { errorResponse } from './http/error-response.js';
export { requireAuthStrength, requireRecentAuth } from './policies/auth-strength.js';
export { all, any, checkPolicies } from './policies/compose.js';
export type { Policy, PolicyResult, UserPolicyOptions } from './policies/policy.js';
export { allow, requireOwner, requireRoles, requireScopes } from './policies/policy.js';
export {
  refuseDelegation,
  requireClient,
  requireDelegation,
  requireDpop,
  requireUser,
} from './policies/subject.js';
export type {
  AuthContext,
  AuthResult,
  CacheAdmission,
  GuardMetrics,
  GuardOptions,
  HeaderSource,
  JwksOptions,
  RequestLike,
  RevocationOptions,
  StalePolicy,
} from './types.js';
