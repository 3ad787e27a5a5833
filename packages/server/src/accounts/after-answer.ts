import type { ServerContext } from '../context.js';

/**
 * Runs `work` once the request that started it has been answered, and never lets it fail the
 * caller. The email endpoints answer the same way whoever the request names; what differs (storing a
 * link, queuing its mail, auditing) runs here, so neither the answer nor its timing can tell an
 * existing account from a missing one. A failure is logged by its name and code only: the error of
 * a storage call may quote what it was given.
 *
 * @returns a promise that settles (never rejects) when the work is done; handlers do not wait for
 *   it, tests and embedders may.
 *
 * @example
 * ```ts
 * const done = afterAnswer(ctx, 'password reset', async () => sendResetLink(ctx, user));
 * return reply.code(202).send({});
 * ```
 */
export function afterAnswer(
  ctx: Pick<ServerContext, 'logger'>,
  what: string,
  work: () => Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve)).then(work).catch((error: unknown) => {
    const e = (typeof error === 'object' && error !== null ? error : {}) as {
      name?: unknown;
      code?: unknown;
    };
    try {
      ctx.logger.error(
        {
          err: {
            name: typeof e.name === 'string' ? e.name.slice(0, 60) : 'Error',
            code: typeof e.code === 'string' ? e.code.slice(0, 60) : undefined,
          },
        },
        `${what}: not completed`,
      );
    } catch {}
  });
}
