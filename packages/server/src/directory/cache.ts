import type { AudienceRecord, ClientRecord, RoleRecord, Storage } from '../storage/index.js';

/** How long the server's directory cache keeps a record it read. */
export const DIRECTORY_TTL_MS = 2000;

/**
 * A short-lived read cache of clients, audiences and roles: the records every token request
 * reads and that change rarely. Changes made through this process invalidate it at once and tell
 * the other instances (through the coordinator), which drop theirs; without a shared coordinator
 * another instance's changes show within `ttlMs`. Misses are not cached.
 */
export interface DirectoryCache {
  client(id: string): Promise<ClientRecord | undefined>;
  audience(id: string): Promise<AudienceRecord | undefined>;
  role(name: string): Promise<RoleRecord | undefined>;
  /** Forget everything after a local change, and tell the other instances (`onChange`). */
  invalidate(): void;
  /** Forget everything because another instance changed something (tells no one). */
  drop(): void;
}

/**
 * @example
 * ```ts
 * const directory = createDirectoryCache(storage, 2000, () => void coordinator.publishInvalidation('directory'));
 * const client = await directory.client('keycard-web');
 * ```
 */
export function createDirectoryCache(
  storage: Storage,
  ttlMs: number,
  onChange: () => void = () => {},
): DirectoryCache {
  // Wall time on purpose: a cache lifetime is not domain time (tests freeze the domain clock).
  const now = () => performance.now();
  const maps = {
    client: new Map<string, { at: number; value: ClientRecord }>(),
    audience: new Map<string, { at: number; value: AudienceRecord }>(),
    role: new Map<string, { at: number; value: RoleRecord }>(),
  };
  const read = async <T>(
    map: Map<string, { at: number; value: T }>,
    key: string,
    load: () => Promise<T | undefined>,
  ): Promise<T | undefined> => {
    const hit = map.get(key);
    if (hit !== undefined && now() - hit.at < ttlMs) return hit.value;
    const value = await load();
    if (value === undefined) map.delete(key);
    else {
      if (map.size > 10_000) map.clear();
      map.set(key, { at: now(), value });
    }
    return value;
  };
  const drop = () => {
    for (const map of Object.values(maps)) map.clear();
  };
  return {
    client: (id) => read(maps.client, id, () => storage.clients.get(id)),
    audience: (id) => read(maps.audience, id, () => storage.audiences.get(id)),
    role: (name) => read(maps.role, name, () => storage.roles.get(name)),
    invalidate() {
      drop();
      onChange();
    },
    drop,
  };
}
