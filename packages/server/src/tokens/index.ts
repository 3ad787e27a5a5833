export { type InspectCheck, type Inspection, inspectToken } from './inspect-token.js';
export { type AccessTokenInput, type IssuedAccessToken, issueAccessToken } from './issue-access-token.js';
export { parseScope, resolveGrant } from './resolve-grant.js';
export { verifyAccessToken } from './verify-access-token.js';
