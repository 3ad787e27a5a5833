import type { UserRecord } from '../storage/index.js';

/** A user as shown to admins and the CLI: never the password hash or lookup keys. */
export function publicUserRecord(user: UserRecord) {
  return {
    id: user.id,
    username: user.username,
    roles: user.roles,
    disabled: user.disabled,
    claims: user.claims,
    email: user.email,
    emailVerifiedAt: user.emailVerifiedAt,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
