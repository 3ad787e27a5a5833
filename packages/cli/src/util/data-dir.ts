/** Shared by the server-administration commands (users, clients, audiences, roles, keys, serve). */
import { resolve } from 'node:path';
import { isServerError, type Logger, type OpenServices, openDataDir } from '@keycard/server';
import {
  CliError,
  type CommandArgs,
  EXIT,
  type OptionSpec,
  stringOption,
  UsageError,
} from '../framework/command.js';
import type { IO } from '../framework/io.js';

/** `--data-dir` and `--config`, accepted by every command that works on a data dir. */
export const DATA_DIR_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': {
    type: 'string',
    valueName: 'DIR',
    description: 'Data directory (default $KEYCARD_DATA_DIR or .keycard)',
  },
  config: {
    type: 'string',
    valueName: 'FILE',
    description: 'JSON config file (default $KEYCARD_CONFIG)',
  },
};

/** `--json`: machine-readable output. */
export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'Print JSON instead of a table' },
};

/** Who the audit log names for changes made from the command line. */
export const CLI_ACTOR = 'cli';
export const CLI_REQUEST = { ip: null, userAgent: 'keycard-cli' } as const;

/** Server warnings (e.g. a freshly generated master key) as plain lines on stderr. */
export function cliLogger(io: IO): Logger {
  const line = (level: string) => (obj: object | string, msg?: string) => {
    const text = typeof obj === 'string' ? obj : (msg ?? '');
    const path = typeof obj === 'object' && obj !== null && 'path' in obj ? ` (${String(obj.path)})` : '';
    io.stderr.write(`${level}: ${text}${path}\n`);
  };
  return { info: () => {}, warn: line('warning'), error: line('error') };
}

/** The config file: `--config`, else `$KEYCARD_CONFIG`, resolved against the working directory. */
export function configFileOf(args: CommandArgs, io: IO): string | undefined {
  const file = stringOption(args, 'config') ?? io.env['KEYCARD_CONFIG'];
  return file === undefined || file === '' ? undefined : resolve(io.cwd, file);
}

/** Turns server errors into CLI failures with their public message and code. */
export function toCliError(error: unknown): unknown {
  if (isServerError(error)) {
    const usage = error.code === 'ERR_CONFIG_INVALID' || error.code === 'ERR_MASTER_KEY_INVALID';
    return new CliError(`${error.message} (${error.code})`, usage ? EXIT.USAGE : EXIT.FAILURE, {
      cause: error,
    });
  }
  return error;
}

/**
 * Opens the data dir's services, runs `fn`, and closes them whatever happens.
 *
 * @example
 * ```ts
 * return withDataDir(args, io, async ({ ctx }) => { ...; return EXIT.OK; });
 * ```
 */
export async function withDataDir(
  args: CommandArgs,
  io: IO,
  fn: (services: OpenServices) => Promise<number>,
): Promise<number> {
  const dataDir = stringOption(args, 'data-dir');
  let services: OpenServices;
  try {
    services = await openDataDir({
      ...(dataDir !== undefined ? { dataDir: resolve(io.cwd, dataDir) } : {}),
      ...(configFileOf(args, io) !== undefined ? { configFile: configFileOf(args, io) } : {}),
      env: {
        ...io.env,
        ...(io.env['KEYCARD_DATA_DIR']
          ? { KEYCARD_DATA_DIR: resolve(io.cwd, io.env['KEYCARD_DATA_DIR']) }
          : {}),
      },
      logger: cliLogger(io),
    });
  } catch (error) {
    throw toCliError(error);
  }
  try {
    return await fn(services);
  } catch (error) {
    throw toCliError(error);
  } finally {
    await services.close();
  }
}

/** Reads a password piped on stdin (one trailing newline dropped); refuses an interactive terminal. */
export async function readPasswordFromStdin(io: IO): Promise<string> {
  if (io.stdin.isTTY) throw new UsageError('pipe the password on stdin (--password-stdin), e.g. from a file');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > 64 * 1024) throw new UsageError('the password on stdin is too long');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('no password on stdin');
  return text;
}

/** Prints rows as aligned columns (or JSON with --json). */
export function printRows(
  io: IO,
  args: CommandArgs,
  rows: Array<Record<string, unknown>>,
  columns: string[],
): void {
  if (args.values['json'] === true) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const cell = (value: unknown): string =>
    value === null || value === undefined
      ? '-'
      : Array.isArray(value)
        ? value.join(',') || '-'
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  const table = [columns.map((c) => c.toUpperCase()), ...rows.map((r) => columns.map((c) => cell(r[c])))];
  const widths = columns.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) {
    io.stdout.write(`${row.map((v, i) => (i === row.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')}\n`);
  }
}

/** ISO time for tables (storage keeps milliseconds). */
export function isoTime(ms: number | null | undefined): string | null {
  return typeof ms === 'number' ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}
