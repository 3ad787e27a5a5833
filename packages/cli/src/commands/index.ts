/**
 * The command registry.
 *
 * To add a command (e.g. `keycard users add`):
 *   1. create src/commands/users-add.ts exporting `export const usersAdd: Command = { path: ['users', 'add'],
 *      summary, usage, options, run(args, io) { ...; return EXIT.OK; } }` (see ../framework/command.ts);
 *   2. import it below and add it to `commands`.
 * That is all: `keycard --help`, `keycard users --help`, `keycard users add --help`, strict option
 * parsing, usage errors (exit 2) and error reporting come from main.ts. Keep one command per file.
 */
import type { Command } from '../framework/command.js';
import { audiencesAdd } from './audiences-add.js';
import { audiencesList } from './audiences-list.js';
import { audiencesRemove } from './audiences-remove.js';
import { clientsAdd } from './clients-add.js';
import { clientsList } from './clients-list.js';
import { clientsRemove } from './clients-remove.js';
import { clientsShow } from './clients-show.js';
import { demo } from './demo.js';
import { gateway } from './gateway.js';
import { keysGenerate } from './keys-generate.js';
import { keysList } from './keys-list.js';
import { keysRevoke } from './keys-revoke.js';
import { keysRotate } from './keys-rotate.js';
import { rolesAdd } from './roles-add.js';
import { rolesList } from './roles-list.js';
import { rolesRemove } from './roles-remove.js';
import { serve } from './serve.js';
import { tokenDecode } from './token-decode.js';
import { tokenSign } from './token-sign.js';
import { tokenVerify } from './token-verify.js';
import { usersAdd } from './users-add.js';
import { usersDisable } from './users-disable.js';
import { usersEmail } from './users-email.js';
import { usersList } from './users-list.js';
import { usersMfaReset } from './users-mfa-reset.js';
import { usersMfaShow } from './users-mfa-show.js';
import { usersPasswd } from './users-passwd.js';
import { usersRemove } from './users-remove.js';
import { usersRoles } from './users-roles.js';

export const commands: readonly Command[] = [
  keysGenerate,
  tokenSign,
  tokenDecode,
  tokenVerify,
  demo,
  serve,
  gateway,
  usersAdd,
  usersList,
  usersDisable,
  usersPasswd,
  usersRoles,
  usersEmail,
  usersRemove,
  usersMfaShow,
  usersMfaReset,
  clientsAdd,
  clientsList,
  clientsShow,
  clientsRemove,
  audiencesAdd,
  audiencesList,
  audiencesRemove,
  rolesAdd,
  rolesList,
  rolesRemove,
  keysList,
  keysRotate,
  keysRevoke,
];
