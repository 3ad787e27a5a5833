/** Help texts: the command list, a group's commands, one command's options. */
import type { Command } from './command.js';

const BIN = 'keycard';

function optionLines(command: Command): string[] {
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    return [flag, spec.description + (spec.multiple ? ' (repeatable)' : '')] as const;
  });
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

/** `keycard <path> --help`. */
export function commandHelp(command: Command): string {
  const lines = [
    `Usage: ${BIN} ${command.path.join(' ')} ${command.usage}`.trimEnd(),
    '',
    command.summary,
    '',
  ];
  lines.push('Options:', ...optionLines(command));
  if (command.details) lines.push('', command.details.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** `keycard --help` (prefix empty) or `keycard keys --help` (prefix ['keys']). */
export function listHelp(commands: readonly Command[], prefix: readonly string[]): string {
  const matching = commands.filter((c) => prefix.every((word, i) => c.path[i] === word));
  const rows = matching.map((c) => [c.path.join(' '), c.summary] as const);
  const width = Math.max(0, ...rows.map(([p]) => p.length));
  const head = prefix.length === 0 ? `${BIN} — keycard's command line` : `${BIN} ${prefix.join(' ')}`;
  return [
    head,
    '',
    `Usage: ${BIN} ${prefix.length ? `${prefix.join(' ')} ` : ''}<command> [options]`,
    '',
    'Commands:',
    ...rows.map(([p, s]) => `  ${p.padEnd(width)}  ${s}`),
    '',
    `Run '${BIN} <command> --help' for a command's options.`,
    '',
  ].join('\n');
}
