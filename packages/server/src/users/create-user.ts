import { checkEmail } from '../accounts/email-key.js';
import type { RequestInfo, ServerContext } from '../context.js';
import { randomId } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import { checkPasswordPolicy } from '../passwords/index.js';
import { StorageConflictError, type UserRecord } from '../storage/index.js';
import { checkUsername } from './username.js';

/** Input of {@link createUser}. */
export interface CreateUserInput {
  username: string;
  password: string;
  roles?: string[];
  claims?: Record<string, unknown>;
  disabled?: boolean;
  /** The user's email address (checked and normalised; unique per account, case-insensitively). */
  email?: string;
  /**
   * Whether `email` counts as verified (default false). Only a verified address gets password-reset
   * links: an admin, the CLI or a seed vouching for it passes true; self-service sign-up never does.
   */
  emailVerified?: boolean;
}

/** What {@link createUser} reads. */
export type CreateUserDeps = Pick<ServerContext, 'storage' | 'clock' | 'config' | 'passwords' | 'audit'>;

/**
 * Creates a user with an argon2id password hash. Unknown roles are rejected. The random id is
 * never a client's id (subjects cannot be confused). An address another user has is refused with
 * ERR_CONFLICT; it is stored unverified unless `emailVerified` says otherwise.
 *
 * @example
 * ```ts
 * const user = await createUser(ctx, { username: 'alice', password: 'correct horse', roles: ['guest'] });
 * ```
 */
export async function createUser(
  ctx: CreateUserDeps,
  input: CreateUserInput,
  opts: { actor?: string; request?: RequestInfo } = {},
): Promise<UserRecord> {
  const { username, key } = checkUsername(input.username);
  checkPasswordPolicy(input.password, ctx.config.passwords);
  const email = input.email === undefined ? undefined : checkEmail(input.email);
  const roles = [...new Set(input.roles ?? [])];
  await assertRolesExist(ctx, roles);
  const now = ctx.clock();
  const user: UserRecord = {
    id: await freeUserId(ctx),
    username,
    usernameKey: key,
    passwordHash: await ctx.passwords.hash(input.password),
    roles,
    disabled: input.disabled ?? false,
    claims: input.claims ?? {},
    email: email?.email ?? null,
    emailKey: email?.key ?? null,
    emailVerifiedAt: email !== undefined && input.emailVerified === true ? now : null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await ctx.storage.users.create(user);
  } catch (error) {
    if (error instanceof StorageConflictError) throw await conflictOf(ctx, user, error);
    throw error;
  }
  if (opts.actor !== undefined) {
    await ctx.audit.record('admin.user.create', {
      actor: opts.actor,
      subject: user.id,
      request: opts.request,
      detail: { username, roles, email: user.email !== null },
    });
  }
  return user;
}

/**
 * Which unique key a refused create hit: the username (ERR_USERNAME_TAKEN, as before addresses
 * existed) or the address (ERR_CONFLICT naming the field).
 */
async function conflictOf(
  ctx: Pick<ServerContext, 'storage'>,
  user: UserRecord,
  cause: StorageConflictError,
): Promise<ServerError> {
  const addressTaken =
    user.emailKey !== null &&
    (await ctx.storage.users.getByUsername(user.usernameKey)) === undefined &&
    (await ctx.storage.users.getByEmail(user.emailKey)) !== undefined;
  return addressTaken
    ? new ServerError('ERR_CONFLICT', { message: 'email: another user has this address', cause })
    : new ServerError('ERR_USERNAME_TAKEN', { cause });
}

/**
 * A random user id that is no client's id. Client ids of a user id's shape are refused at
 * registration, so a clash needs a client stored around that rule (older release, direct
 * storage write): then draw again, and refuse rather than ever share a subject.
 */
async function freeUserId(ctx: Pick<ServerContext, 'storage'>): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = randomId();
    if ((await ctx.storage.clients.get(id)) === undefined) return id;
  }
  throw new ServerError('ERR_CONFLICT', { message: 'id: a client has this id' });
}

/** Throws ERR_ROLE_NOT_FOUND naming the first role that is not registered. */
export async function assertRolesExist(ctx: Pick<ServerContext, 'storage'>, roles: string[]): Promise<void> {
  for (const role of roles) {
    if ((await ctx.storage.roles.get(role)) === undefined) {
      throw new ServerError('ERR_ROLE_NOT_FOUND', { message: `No such role: ${role.slice(0, 64)}` });
    }
  }
}
