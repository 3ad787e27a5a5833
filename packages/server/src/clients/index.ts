export {
  type AuthenticateClientDeps,
  authenticateClient,
  type ClientCredentials,
} from './authenticate-client.js';
export { type ClientRulesDeps, USER_ID_SHAPE } from './client-rules.js';
export { type CreateClientDeps, type CreateClientInput, createClient } from './create-client.js';
export { type DeleteClientDeps, deleteClient, publicClient } from './delete-client.js';
export { type SeedDefaultsDeps, seedDefaults } from './seed.js';
export { type UpdateClientDeps, type UpdateClientInput, updateClient } from './update-client.js';
