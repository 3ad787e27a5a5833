/**
 * Reading a delegation chain (RFC 8693 `act`) out of a door's answer, for display. The outermost
 * `act` is the party acting now; nested ones acted before it.
 */

/** Actors of an `act` claim, earliest first (`{ sub: 'b', act: { sub: 'a' } }` → `['a', 'b']`). */
export function actorsOf(act: unknown): string[] {
  const actors: string[] = [];
  let current = act;
  for (let depth = 0; depth < 10 && current !== null && typeof current === 'object'; depth++) {
    const sub = (current as Record<string, unknown>)['sub'];
    if (typeof sub === 'string') actors.unshift(sub);
    current = (current as Record<string, unknown>)['act'];
  }
  return actors;
}

/**
 * The chain a delegated call went through, from the answer of the service at its end (billing
 * answers `{ guest, act, aud }`, possibly nested as `billing` in the first door's answer):
 * guest → acting services → the service that answered. Undefined when nothing was delegated.
 *
 * @example
 * delegationChain({ billing: { guest: 'alice', act: { sub: 'rooms-service' }, aud: 'billing' } });
 * // ['alice', 'rooms-service', 'billing']
 */
export function delegationChain(body: unknown): string[] | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const inner = record['billing'];
  if (inner !== null && typeof inner === 'object') return delegationChain(inner);
  const actors = actorsOf(record['act']);
  if (actors.length === 0) return undefined;
  const guest = typeof record['guest'] === 'string' ? record['guest'] : record['sub'];
  const service = record['aud'];
  return [
    typeof guest === 'string' ? guest : 'guest',
    ...actors,
    ...(typeof service === 'string' ? [service] : []),
  ];
}
