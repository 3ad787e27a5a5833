export { clientCredentials } from './client-credentials.js';
export { type Introspection, introspectToken } from './introspect.js';
export { refreshSession } from './refresh.js';
export { revokeSession, revokeUserSessions, signOutWithRefreshToken } from './revoke-session.js';
export { revokeToken } from './revoke-token.js';
export { type SignInInput, signIn } from './sign-in.js';
export {
  ACCESS_TOKEN_TYPE,
  type ExchangedToken,
  exchangeToken,
  type TokenExchangeInput,
} from './token-exchange.js';
export { createRefreshToken, publicUser, successorSealContext, type TokenSet } from './token-set.js';
