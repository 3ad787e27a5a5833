export { authenticateClient, type ClientCredentials } from './authenticate-client.js';
export { USER_ID_SHAPE } from './client-rules.js';
export { type CreateClientInput, createClient } from './create-client.js';
export { deleteClient, publicClient } from './delete-client.js';
export { seedDefaults } from './seed.js';
export { type UpdateClientInput, updateClient } from './update-client.js';
