/**
 * Start-up and shutdown shared by the doors: print where the door listens, and close cleanly on
 * Ctrl-C / SIGTERM. When the demo started the door (an IPC channel is open), it also reports its port
 * and exits with its parent, so no door outlives the hotel even if the parent is killed.
 */

/** Tells the operator (and the demo, when it is the parent) where the door listens. */
export function announce(door: string, url: string, port: number): void {
  console.log(`${door} door listening on ${url}`);
  process.send?.({ type: 'listening', door, port });
}

/**
 * Runs `close` once on SIGINT, SIGTERM or loss of the parent, then exits. A second signal exits at once.
 *
 * @example
 * ```ts
 * onShutdown(async () => { await closeServer(); await guard.close(); });
 * ```
 */
export function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const stop = (): void => {
    if (closing) process.exit(1);
    closing = true;
    // Never hang on a stuck connection: exit after 3 s whatever happens.
    setTimeout(() => process.exit(1), 3000).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed:', error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (process.connected) process.on('disconnect', stop);
}

/** Logs a start-up failure without a stack trace and exits non-zero. */
export function failStart(door: string, error: unknown): never {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  console.error(
    `${door} door could not start: ${code === 'EADDRINUSE' ? 'the port is already in use' : message}`,
  );
  process.exit(1);
}
