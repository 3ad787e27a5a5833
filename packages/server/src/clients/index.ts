export {
  type AuthenticateClientDeps,
  authenticateClient,
  type ClientCredentials,
} from './authenticate-client.js';
export {
  CLIENT_ASSERTION_MAX_LIFETIME_SECONDS,
  CLIENT_ASSERTION_MAX_SIZE,
  CLIENT_ASSERTION_TYPE,
  type ClientAssertionDeps,
  type ClientAssertionInput,
  verifyClientAssertion,
} from './client-assertion.js';
export {
  type ClientJwks,
  checkClientJwks,
  MAX_CLIENT_JWKS_BYTES,
  MAX_CLIENT_JWKS_KEYS,
  publicJwks,
} from './client-jwks.js';
export { CLIENT_ASSERTION_ALGORITHMS, clientKeyAlgorithm, clientKeySet } from './client-keys.js';
export { type ClientRulesDeps, USER_ID_SHAPE } from './client-rules.js';
export { type CreateClientDeps, type CreateClientInput, createClient } from './create-client.js';
export { type DeleteClientDeps, deleteClient, publicClient } from './delete-client.js';
export {
  backchannelLogoutUriProblem,
  MAX_BACKCHANNEL_LOGOUT_URI_LENGTH,
  MAX_CLIENT_URIS,
} from './flow-rules.js';
export { type SeedDefaultsDeps, seedDefaults } from './seed.js';
export { type UpdateClientDeps, type UpdateClientInput, updateClient } from './update-client.js';
export {
  type AlignWebClientDeps,
  alignWebClient,
  WEB_CLIENT_GRANTS,
  webAppRedirectUri,
} from './web-client.js';
