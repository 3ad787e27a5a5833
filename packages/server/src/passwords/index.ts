export { createPasswordHasher, type PasswordCost, type PasswordHasher } from './hasher.js';
export { checkPasswordPolicy } from './policy.js';
