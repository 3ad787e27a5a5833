import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.js';

/** A statement compiled once; call it with the executor (the database or a transaction) and its parameters. */
export type CompiledStatement<R> = (
  executor: Pick<Kysely<Database>, 'executeQuery'>,
  parameters: readonly unknown[],
) => Promise<QueryResult<R>>;

/**
 * Compiles `query` once (built with placeholder values) and runs the same SQL with each call's
 * parameters, in the order they appear in it: no query tree is built, frozen and compiled per
 * call. For the few statements every token request runs; `arity` is checked against the compiled
 * statement so a change to the query that moves its parameters fails at start-up, not on a request.
 *
 * @example
 * ```ts
 * const byId = compiledOnce(db.selectFrom('users').selectAll().where('id', '=', ''), 1);
 * const row = (await byId(db, [id])).rows[0];
 * ```
 */
export function compiledOnce<R>(query: Compilable<R>, arity: number): CompiledStatement<R> {
  const compiled = query.compile();
  if (compiled.parameters.length !== arity) {
    throw new Error(
      `compiledOnce: ${compiled.parameters.length} parameters, expected ${arity}: ${compiled.sql}`,
    );
  }
  return (executor, parameters) => {
    const run: CompiledQuery<R> = { ...compiled, parameters };
    return executor.executeQuery(run);
  };
}
