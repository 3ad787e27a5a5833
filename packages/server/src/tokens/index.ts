export { type InspectCheck, type Inspection, inspectToken } from './inspect-token.js';
export {
  type AccessTokenInput,
  type ActClaim,
  type IssuedAccessToken,
  issueAccessToken,
} from './issue-access-token.js';
export { grantedScopes, parseScope } from './resolve-grant.js';
export { namedAudiences, pickCardAudiences, scopesFor, type TargetInput } from './resolve-target.js';
export { verifyAccessToken } from './verify-access-token.js';
