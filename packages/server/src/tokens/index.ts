export { identityClaims, isIdentityScope, OFFLINE_ACCESS } from './identity.js';
export { type InspectCheck, type Inspection, type InspectTokenDeps, inspectToken } from './inspect-token.js';
export {
  type AccessTokenInput,
  type ActClaim,
  type CardAuthentication,
  type IssueAccessTokenDeps,
  type IssuedAccessToken,
  issueAccessToken,
} from './issue-access-token.js';
export { type IdTokenInput, type IssueIdTokenDeps, issueIdToken } from './issue-id-token.js';
export { defaultScopes, type GrantedScopesDeps, grantedScopes, parseScope } from './resolve-grant.js';
export {
  type NamedAudiencesDeps,
  namedAudiences,
  pickCardAudiences,
  type ScopesForDeps,
  scopesFor,
  type TargetInput,
} from './resolve-target.js';
export { type VerifyAccessTokenDeps, verifyAccessToken } from './verify-access-token.js';
