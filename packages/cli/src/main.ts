/**
 * Entry point: finds the command named by the leading words of argv in the registry, handles --help,
 * parses options strictly with node:util parseArgs and maps failures to exit codes
 * (0 success, 1 failure such as an invalid token, 2 usage or I/O error).
 */
import { parseArgs } from 'node:util';
import { commands as registry } from './commands/index.js';
import { CliError, type Command, EXIT, UsageError } from './framework/command.js';
import { commandHelp, listHelp } from './framework/help.js';
import { type IO, processIO } from './framework/io.js';
import { closest, positionalNames } from './framework/suggest.js';

const HELP = new Set(['-h', '--help']);

/**
 * Runs the CLI and resolves with the exit code (it never calls process.exit).
 *
 * @example
 * ```ts
 * const code = await main(['token', 'decode', token], io);
 * ```
 */
export async function main(
  argv: readonly string[],
  io: IO = processIO(),
  commands: readonly Command[] = registry,
): Promise<number> {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  if (
    argv.length === 0 ||
    (words.length === 0 && HELP.has(argv[0]!)) ||
    (words[0] === 'help' && words.length === 1)
  ) {
    const out = argv.length === 0 ? io.stderr : io.stdout;
    out.write(listHelp(commands, []));
    return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
  }
  const command = findCommand(commands, words);
  if (command === undefined) return groupOrUnknown(commands, argv, words, io);

  const rest = argv.slice(command.path.length);
  const beforeDashes = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
  if (beforeDashes.some((arg) => HELP.has(arg))) {
    io.stdout.write(commandHelp(command));
    return EXIT.OK;
  }
  const name = `keycard ${command.path.join(' ')}`;
  try {
    const parsed = parse(command, rest);
    return await command.run(parsed, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const usage = `Usage: ${name} ${command.usage}`.trimEnd();
      io.stderr.write(`${name}: ${err.message}\n${usage}\nRun '${name} --help' for details.\n`);
      return EXIT.USAGE;
    }
    if (err instanceof CliError) {
      io.stderr.write(`${name}: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`${name}: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.FAILURE;
  }
}

function findCommand(commands: readonly Command[], words: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    if (command.path.length <= words.length && command.path.every((word, i) => words[i] === word)) {
      if (best === undefined || command.path.length > best.path.length) best = command;
    }
  }
  return best;
}

/** `keycard keys` / `keycard keys --help` list the group; anything else is an unknown command. */
function groupOrUnknown(
  commands: readonly Command[],
  argv: readonly string[],
  words: string[],
  io: IO,
): number {
  const isGroup = commands.some(
    (c) => words.length < c.path.length && words.every((w, i) => c.path[i] === w),
  );
  if (isGroup && words.length > 0) {
    const wantsHelp = argv.slice(words.length).some((arg) => HELP.has(arg));
    (wantsHelp ? io.stdout : io.stderr).write(listHelp(commands, words));
    return wantsHelp ? EXIT.OK : EXIT.USAGE;
  }
  const typed = words.join(' ') || argv[0]!;
  io.stderr.write(
    `keycard: unknown command '${typed}'\n${suggestion(commands, words)}Run 'keycard --help' for the list.\n`,
  );
  return EXIT.USAGE;
}

/**
 * "Did you mean 'keycard token verify'?" The typed words are compared with every command path (and
 * group) of the same length, so a typo in any word is caught.
 */
function suggestion(commands: readonly Command[], words: readonly string[]): string {
  if (words.length === 0) return '';
  const paths = new Set<string>();
  for (const command of commands) {
    for (let n = 1; n <= command.path.length; n++) paths.add(command.path.slice(0, n).join(' '));
  }
  const candidates = [...paths].filter((path) => path.split(' ').length === Math.min(words.length, 2));
  const match = closest(words.slice(0, 2).join(' '), candidates);
  return match === undefined ? '' : `Did you mean 'keycard ${match}'?\n`;
}

function parse(command: Command, args: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  for (const arg of args) {
    if (arg === '--') break;
    const old = /^--([^=]+)/.exec(arg)?.[1];
    const now = old === undefined ? undefined : command.renamed?.[old];
    if (now !== undefined) throw new UsageError(`--${old} was renamed: use --${now}`);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const min = command.positionals?.min ?? 0;
  const max = command.positionals?.max ?? 0;
  if (parsed.positionals.length < min) {
    const missing = positionalNames(command.usage).slice(parsed.positionals.length, min);
    throw new UsageError(missing.length === 0 ? 'missing argument' : `missing argument ${missing.join(' ')}`);
  }
  if (parsed.positionals.length > max)
    throw new UsageError(
      max === 0 ? 'this command takes no arguments' : `at most ${max} argument(s) expected`,
    );
  return {
    values: parsed.values as Record<string, string | boolean | string[] | undefined>,
    positionals: parsed.positionals,
  };
}
