export { ENV_OPTIONS, type EnvOption } from './env.js';
export { loadConfig, parseConfig } from './load.js';
export { configSchema, type KeycardConfig, type KeycardConfigInput } from './schema.js';
