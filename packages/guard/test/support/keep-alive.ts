import { createHook } from 'node:async_hooks';

/** Resource types that keep the event loop alive while they are open and ref'd. */
const IO = new Set(['TCPWRAP', 'TCPCONNECTWRAP', 'GETADDRINFOREQWRAP', 'PIPEWRAP', 'UDPWRAP']);

interface Resource {
  hasRef?: () => boolean;
  /** Set on a timer by clearTimeout at once; its destroy hook only runs later. */
  _destroyed?: boolean;
  getsockname?: (out: { port?: number }) => unknown;
}

export interface KeepAliveTracker {
  /** Types of the tracked resources that still keep the process alive (sorted). */
  alive(): string[];
  /** Resolves once no tracked socket or request is open any more (a ref'd timer is reported by alive()). */
  ioReleased(): Promise<void>;
  stop(): void;
}

/**
 * Records every socket, DNS/connect request and timer created from now on (async_hooks), so a test
 * can tell exactly which of them still hold the process, instead of comparing process-wide counts
 * that anything else in the process can move. `serverPort`: sockets accepted by an in-process test
 * server on that port are the server's, not the code under test's, and are left out.
 */
export function trackKeepAlive(serverPort?: number): KeepAliveTracker {
  const live = new Map<number, { type: string; resource: Resource }>();
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (type === 'Timeout' || IO.has(type)) live.set(id, { type, resource: resource as Resource });
    },
    destroy(id) {
      live.delete(id);
    },
  });
  hook.enable();
  const holds = (type: string, resource: Resource): boolean => {
    if (type === 'Timeout' && resource._destroyed === true) return false;
    if (type === 'TCPWRAP' && serverPort !== undefined) {
      const local: { port?: number } = {};
      resource.getsockname?.(local);
      if (local.port === serverPort) return false;
    }
    return resource.hasRef?.() ?? true;
  };
  const alive = () =>
    [...live.values()].filter(({ type, resource }) => holds(type, resource)).map(({ type }) => type);
  return {
    alive: () => alive().sort(),
    async ioReleased() {
      // Polled with an unref'd timer: the poll itself never counts as alive.
      while (alive().some((type) => type !== 'Timeout')) {
        await new Promise((resolve) => setTimeout(resolve, 5).unref());
      }
    },
    stop: () => hook.disable(),
  };
}
