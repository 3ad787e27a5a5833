export { clientCredentials } from './client-credentials.js';
export { refreshSession } from './refresh.js';
export { revokeSession, revokeUserSessions, signOutWithRefreshToken } from './revoke-session.js';
export { type SignInInput, signIn } from './sign-in.js';
export { createRefreshToken, publicUser, successorSealContext, type TokenSet } from './token-set.js';
