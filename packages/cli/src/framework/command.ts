/**
 * The shape of a CLI command. Each command is one file in src/commands/ exporting a `Command`, listed
 * once in src/commands/index.ts. Parsing, `--help`, usage errors and exit codes are handled by main.ts.
 */
import type { IO } from './io.js';

/**
 * One option, mapped onto node:util parseArgs.
 *
 * @example
 * ```ts
 * const alg: OptionSpec = { type: 'string', valueName: 'ALG', description: 'Signing algorithm' };
 * ```
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** May be given several times (values arrive as an array). */
  multiple?: boolean;
  /** Shown in help, e.g. 'ALG'. */
  valueName?: string;
  description: string;
}

/**
 * What `run` receives: parsed option values and positional arguments.
 *
 * @example
 * ```ts
 * async run({ values, positionals }: CommandArgs, io) { io.stdout.write(`${positionals[0]}\n`); return EXIT.OK; }
 * ```
 */
export interface CommandArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * A command: `keycard <path...> [options] [args]`.
 *
 * @example
 * ```ts
 * export const hello: Command = { path: ['hello'], summary: 'Greet', usage: '[NAME]', options: {}, positionals: { max: 1 }, async run(args, io) { io.stdout.write("hi\n"); return EXIT.OK; } };
 * ```
 */
export interface Command {
  /** Words that select the command, e.g. ['keys', 'generate']. */
  path: readonly string[];
  /** One line for command lists. */
  summary: string;
  /** Usage after `keycard <path>`, e.g. '--alg ALG [--kid ID] [--out DIR]'. */
  usage: string;
  /** More help text (examples, notes), printed by --help. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Options renamed before 1.0 (old name -> new name): refused with the new name, never ignored. */
  renamed?: Record<string, string>;
  /** Allowed number of positional arguments (default 0..0). */
  positionals?: { min?: number; max?: number };
  /** Returns the exit code (0 success, 1 failure, 2 usage/I-O). Throw UsageError or CliError to fail. */
  run(args: CommandArgs, io: IO): Promise<number>;
}

/**
 * Exit codes shared by all commands.
 *
 * @example
 * ```ts
 * return valid ? EXIT.OK : EXIT.FAILURE;
 * ```
 */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/**
 * Wrong invocation: printed with a help hint, exit code 2.
 *
 * @example
 * ```ts
 * throw new UsageError('--jwks is required');
 * ```
 */
export class UsageError extends Error {
  override get name(): string {
    return 'UsageError';
  }
}

/**
 * A failure with its own exit code (2 for I/O, 1 otherwise).
 *
 * @example
 * ```ts
 * throw new CliError(`cannot read ${path}`, EXIT.USAGE);
 * ```
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  override get name(): string {
    return 'CliError';
  }
}

/**
 * Reads a string option (the last one when repeated).
 *
 * @example
 * ```ts
 * const kid = stringOption(args, 'kid');
 * ```
 */
export function stringOption(args: CommandArgs, name: string): string | undefined {
  const value = args.values[name];
  if (Array.isArray(value)) return value.at(-1);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads a repeatable string option as a list.
 *
 * @example
 * ```ts
 * const audiences = listOption(args, 'aud');
 * ```
 */
export function listOption(args: CommandArgs, name: string): string[] {
  const value = args.values[name];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}
