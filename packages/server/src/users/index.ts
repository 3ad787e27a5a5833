export { type AuthenticateUserDeps, authenticateUser } from './authenticate-user.js';
export { type ChangePasswordDeps, changePassword } from './change-password.js';
export { assertRolesExist, type CreateUserDeps, type CreateUserInput, createUser } from './create-user.js';
export { type DeleteUserDeps, deleteUser } from './delete-user.js';
export { publicUserRecord } from './public-user.js';
export {
  type RevokeSubjectDeps,
  revokeSubject,
  type UpdateUserDeps,
  type UpdateUserInput,
  updateUser,
} from './update-user.js';
export { checkUsername, lookupKey } from './username.js';
