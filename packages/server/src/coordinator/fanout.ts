import { randomUUID } from 'node:crypto';
import type { RevocationEvent } from '../storage/index.js';
import { createLocalListeners } from './listeners.js';
import type { Coordinator, CoordinatorHealth, InvalidationTarget } from './types.js';

/** What instances tell each other. */
export type BusMessage =
  | { kind: 'revocation'; event: RevocationEvent }
  | { kind: 'invalidate'; what: InvalidationTarget };

/** A message on the wire (JSON): who sent it and its sequence number, for deduplication. */
export interface Envelope {
  from: string;
  seq: number;
  msg: BusMessage;
}

/** One way to reach the other instances (Redis pub/sub, PostgreSQL LISTEN/NOTIFY). */
export interface Transport {
  readonly name: CoordinatorHealth['name'];
  /** Sends to every other instance; rejects when the backend is unreachable. */
  send(envelope: Envelope): Promise<void>;
  /** Called with every envelope received (the sender's own included; the fan-out drops those). */
  onReceive(callback: (envelope: Envelope) => void): void;
  health(): CoordinatorHealth;
  close(): Promise<void>;
}

/** The messaging half of a {@link Coordinator}. */
export type Fanout = Pick<
  Coordinator,
  'publishRevocation' | 'onRevocation' | 'publishInvalidation' | 'onInvalidation'
> & { close(): void };

const REMEMBERED = 10_000;

/**
 * Largest payload read: an envelope is a few hundred bytes (and NOTIFY carries at most 8,000), so
 * anything bigger is not ours, and whoever can publish on the channel cannot make every instance
 * parse megabytes per message.
 */
export const MAX_ENVELOPE_BYTES = 16_384;

/** Parses a received payload; undefined when it is not an envelope (or too big to be one). */
export function parseEnvelope(payload: string): Envelope | undefined {
  if (payload.length > MAX_ENVELOPE_BYTES) return undefined;
  try {
    const value = JSON.parse(payload) as Envelope;
    const kind = value?.msg?.kind;
    if (typeof value.from !== 'string' || typeof value.seq !== 'number') return undefined;
    if (kind === 'revocation' && typeof value.msg.event?.cursor === 'number') return value;
    if (kind === 'invalidate' && (value.msg.what === 'directory' || value.msg.what === 'keys')) return value;
  } catch {
    // Not ours: ignored.
  }
  return undefined;
}

/**
 * Delivers each message once per instance: at once to this instance's subscribers, and through
 * every transport to the others, which drop their own echo and the copy of a message that
 * arrives over a second transport.
 *
 * @example
 * ```ts
 * const fanout = createFanout([redisTransport, postgresTransport], (err) => logger.warn({ err }));
 * await fanout.publishInvalidation('keys');
 * ```
 */
export function createFanout(transports: Transport[], onSendError: (error: unknown) => void): Fanout {
  const instanceId = randomUUID();
  const listeners = createLocalListeners();
  const seen = new Set<string>();
  let seq = 0;

  const deliver = (msg: BusMessage) => {
    if (msg.kind === 'revocation') listeners.revocation(msg.event);
    else listeners.invalidation(msg.what);
  };
  for (const transport of transports) {
    transport.onReceive((envelope) => {
      if (envelope.from === instanceId) return;
      const id = `${envelope.from}:${envelope.seq}`;
      if (seen.has(id)) return;
      seen.add(id);
      if (seen.size > REMEMBERED) seen.delete(seen.values().next().value as string);
      deliver(envelope.msg);
    });
  }
  const publish = async (msg: BusMessage) => {
    deliver(msg);
    const envelope: Envelope = { from: instanceId, seq: ++seq, msg };
    const sent = await Promise.allSettled(transports.map((t) => t.send(envelope)));
    // Storage stays the source of truth: a lost wake-up is caught up by the feed's cursor poll.
    for (const result of sent) if (result.status === 'rejected') onSendError(result.reason);
  };

  return {
    publishRevocation: (event) => publish({ kind: 'revocation', event }),
    onRevocation: (callback) => listeners.onRevocation(callback),
    publishInvalidation: (what) => publish({ kind: 'invalidate', what }),
    onInvalidation: (callback) => listeners.onInvalidation(callback),
    close: () => listeners.clear(),
  };
}
