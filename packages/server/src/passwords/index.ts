export { createPasswordHasher, type PasswordCost, type PasswordHasher } from './hasher.js';
export { createLimiter, type Limiter } from './limiter.js';
export { checkPasswordPolicy } from './policy.js';
