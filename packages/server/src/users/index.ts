export { authenticateUser } from './authenticate-user.js';
export { changePassword } from './change-password.js';
export { assertRolesExist, type CreateUserInput, createUser } from './create-user.js';
export { deleteUser } from './delete-user.js';
export { publicUserRecord } from './public-user.js';
export { revokeSubject, type UpdateUserInput, updateUser } from './update-user.js';
export { checkUsername, lookupKey } from './username.js';
