import { createServer } from 'node:net';

/** A port that cannot be used, named for the operator. */
export class PortInUseError extends Error {
  readonly code = 'ERR_DEMO_PORT_IN_USE';
  constructor(
    readonly what: string,
    readonly port: number,
  ) {
    super(
      `Port ${port} (${what}) is already in use. Stop what uses it, or choose other ports (keycard demo --help).`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * Binds and releases `port` to see whether it is free; port 0 returns a free port chosen by the OS.
 * There is a short window in which another process could take it; the real listen reports that too.
 */
export function reservePort(what: string, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? new PortInUseError(what, port) : error);
    });
    probe.listen({ port, host, exclusive: true }, () => {
      const { port: bound } = probe.address() as { port: number };
      probe.close(() => resolve(bound));
    });
  });
}
