export {
  type AuthorizationCodeInput,
  type ExchangeAuthorizationCodeDeps,
  exchangeAuthorizationCode,
} from './authorization-code.js';
export { type ClientCredentialsDeps, clientCredentials } from './client-credentials.js';
export { type Introspection, type IntrospectTokenDeps, introspectToken } from './introspect.js';
export { refreshSession } from './refresh.js';
export {
  type RevokeSessionDeps,
  revokeSession,
  revokeUserSessions,
  type SignOutWithRefreshTokenDeps,
  signOutWithRefreshToken,
} from './revoke-session.js';
export { type RevokeTokenDeps, revokeToken } from './revoke-token.js';
export { type SignInDeps, type SignInInput, signIn } from './sign-in.js';
export {
  ACCESS_TOKEN_TYPE,
  type ExchangedToken,
  type ExchangeTokenDeps,
  exchangeToken,
  type TokenExchangeInput,
} from './token-exchange.js';
export {
  type CreateRefreshTokenDeps,
  createRefreshToken,
  publicUser,
  successorSealContext,
  type TokenSet,
} from './token-set.js';
