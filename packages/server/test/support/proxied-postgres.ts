import { createStorage } from '../../src/storage/index.js';
import { dropSchemas, freshSchema, PG_URL } from '../storage/postgres-helper.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** The test PostgreSQL behind a proxy the test owns, with a fresh schema of its own. */
export interface ProxiedPostgres {
  proxy: TcpProxy;
  /** A `databaseUrl` for the server: through the proxy, tables in the fresh schema. */
  url: string;
  close(): Promise<void>;
}

/**
 * Creates and migrates a fresh schema in the test database, and a proxy in front of it. The server reaches its
 * schema through the URL's `options=-c search_path=…`, so it goes through `databaseUrl` like a
 * deployment does.
 *
 * @example
 * ```ts
 * const db = await proxiedPostgres();
 * const server = await startServer({ databaseUrl: db.url });
 * db.proxy.reset();
 * ```
 */
export async function proxiedPostgres(): Promise<ProxiedPostgres> {
  const schema = freshSchema();
  // Migrated here, by name: Kysely's migrator, given only a search_path, can mistake another
  // schema's migration tables (a parallel test file's) for its own. The server then finds
  // nothing to do.
  const storage = await createStorage({ driver: 'postgres', url: PG_URL, schema });
  await storage.close();
  const target = new URL(PG_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const url = new URL(PG_URL);
  url.host = `127.0.0.1:${proxy.port}`;
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    proxy,
    url: url.toString(),
    async close() {
      await proxy.close();
      await dropSchemas([schema]);
    },
  };
}
