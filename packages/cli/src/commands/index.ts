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
import { demo } from './demo.js';
import { keysGenerate } from './keys-generate.js';
import { tokenDecode } from './token-decode.js';
import { tokenSign } from './token-sign.js';
import { tokenVerify } from './token-verify.js';

export const commands: readonly Command[] = [keysGenerate, tokenSign, tokenDecode, tokenVerify, demo];
