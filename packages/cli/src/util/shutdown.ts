import type { IO } from '../framework/io.js';

/**
 * Resolves on the first SIGINT or SIGTERM, so a long-running command can close cleanly; a
 * second signal during that shutdown forces the exit (`name: forced exit`, code 130).
 *
 * @example
 * const stopped = shutdownSignal(io, 'keycard serve');
 * await stopped.received; // then close the server
 */
export function shutdownSignal(io: IO, name: string): { received: Promise<string>; cancel(): void } {
  let first: (signal: string) => void = () => {};
  const force = () => {
    io.stderr.write(`${name}: forced exit\n`);
    process.exit(130);
  };
  const received = new Promise<string>((resolve) => {
    first = (signal: string) => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(signal);
    };
  });
  process.on('SIGINT', first);
  process.on('SIGTERM', first);
  return {
    received,
    cancel() {
      for (const listener of [first, force]) {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      }
    },
  };
}
