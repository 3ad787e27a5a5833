import { createHash } from 'node:crypto';
import type pg from 'pg';
import { loadPg } from '../drivers/load.js';
import { parseEnvelope, type Transport } from './fanout.js';

/** Options of {@link createPostgresNotify}. */
export interface PostgresNotifyOptions {
  /** The storage's connection URL: same database, same search_path, so the same schema. */
  url: string;
  /** Bound on connecting and on each NOTIFY, in ms (default 2000). */
  timeoutMs?: number;
  /** Told about lost connections and failed reconnects (the transport keeps retrying). */
  onError?: (error: unknown) => void;
}

/** `keycard_<schema>`: instances on one schema share it; other schemas on the database do not hear it. */
export function notifyChannel(schema: string): string {
  const name = `keycard_${schema}`;
  // Identifiers are at most 63 bytes: a long schema name is replaced by its digest.
  return Buffer.byteLength(name) <= 63
    ? name
    : `keycard_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * A PostgreSQL LISTEN/NOTIFY {@link Transport}: one dedicated `pg.Client` LISTENs on a channel
 * derived from `current_schema()` and sends with `pg_notify`. A lost connection is re-established
 * with backoff (250 ms doubling to 10 s); what was sent meanwhile is caught up by the feed's cursor
 * poll, since storage is the source of truth. Resolves once the first connection attempt ended,
 * whether or not it succeeded.
 *
 * @example
 * ```ts
 * const bus = await createPostgresNotify({ url: 'postgres://keycard@db/keycard' });
 * ```
 */
export async function createPostgresNotify(opts: PostgresNotifyOptions): Promise<Transport> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const onError = opts.onError ?? (() => {});
  const receivers: Array<(payload: string) => void> = [];
  let client: pg.Client | undefined;
  let channel: string | undefined;
  let up = false;
  let closed = false;
  let delay = 250;
  let retry: NodeJS.Timeout | undefined;
  let lastError = 'connecting';

  const lost = (current: pg.Client, error?: unknown) => {
    if (client !== current) return;
    client = undefined;
    up = false;
    if (error !== undefined) {
      lastError = (error as Error).message ?? String(error);
      onError(error);
    }
    void current.end().catch(() => {});
    if (closed) return;
    retry = setTimeout(() => void connect(), delay);
    retry.unref();
    delay = Math.min(delay * 2, 10_000);
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const current = new (loadPg().Client)({
      connectionString: opts.url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      keepAlive: true,
    });
    client = current;
    current.on('error', (error) => lost(current, error));
    current.on('end', () => lost(current, new Error('connection ended')));
    current.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined)
        for (const receive of receivers) receive(n.payload);
    });
    try {
      await current.connect();
      const { rows } = await current.query<{ schema: string | null }>('select current_schema() as schema');
      const schema = rows[0]?.schema;
      if (!schema) throw new Error('current_schema() is null: the schema does not exist');
      channel = notifyChannel(schema);
      await current.query(`listen ${quoteIdent(channel)}`);
      if (client !== current || closed) return;
      up = true;
      delay = 250;
    } catch (error) {
      lost(current, error);
    }
  }

  await connect();
  return {
    name: 'postgres-notify',
    async send(envelope) {
      const current = client;
      if (!up || current === undefined || channel === undefined)
        throw new Error('PostgreSQL notify connection is down');
      try {
        await current.query('select pg_notify($1, $2)', [channel, JSON.stringify(envelope)]);
      } catch (error) {
        // A timed-out client still waits for its old answer: start over on a fresh connection.
        lost(current, error);
        throw error;
      }
    },
    onReceive(callback) {
      receivers.push((payload) => {
        const envelope = parseEnvelope(payload);
        if (envelope !== undefined) callback(envelope);
      });
    },
    health: () => (up ? { name: 'postgres-notify', up } : { name: 'postgres-notify', up, detail: lastError }),
    async close() {
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
      const current = client;
      client = undefined;
      up = false;
      await current?.end().catch(() => {});
    },
  };
}
