import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test database; override with KEYCARD_TEST_PG_URL. */
export const PG_URL = process.env.KEYCARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Resolves to a reason to skip when PostgreSQL does not answer, else undefined. */
export async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${new URL(PG_URL).host} is unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema name per test run, so parallel test files never share tables. */
export function freshSchema(): string {
  return `kc_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchemas(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const name of names) await client.query(`drop schema if exists "${name}" cascade`);
  } finally {
    await client.end();
  }
}

/** Every keycard data table (plus `revocation_head`, the cursor row, which is reset, not emptied). */
export const KEYCARD_TABLES = [
  'users',
  'clients',
  'audiences',
  'roles',
  'sessions',
  'refresh_tokens',
  'signing_keys',
  'revocations',
  'audit_events',
  'authorization_codes',
  'consents',
  'browser_sessions',
  'totp_factors',
  'recovery_codes',
  'passkeys',
  'email_tokens',
];

/** Empties a migrated keycard schema (test-only): quicker than a fresh schema per test. */
export async function emptySchema(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    // DELETE beats TRUNCATE on tables this small; one round trip through the simple query protocol.
    const deletes = KEYCARD_TABLES.map((t) => `delete from "${name}"."${t}";`).join(' ');
    await client.query(`${deletes} update "${name}".revocation_head set last_cursor = 0;`);
  } finally {
    await client.end();
  }
}
