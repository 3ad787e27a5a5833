export { commands } from './commands/index.js';
export {
  CliError,
  type Command,
  type CommandArgs,
  EXIT,
  listOption,
  type OptionSpec,
  stringOption,
  UsageError,
} from './framework/command.js';
export { type IO, type Output, processIO } from './framework/io.js';
export { main } from './main.js';
