export { authenticateClient, type ClientCredentials } from './authenticate-client.js';
export { type CreateClientInput, createClient } from './create-client.js';
export { deleteClient, publicClient } from './delete-client.js';
export { seedDefaults } from './seed.js';
