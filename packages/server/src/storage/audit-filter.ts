import type { AuditStore } from './types.js';

/** The filter accepted by {@link AuditStore.list}. */
export type AuditFilter = Parameters<AuditStore['list']>[0];

/**
 * True when `type` is a prefix filter: it ends in '.', so 'admin.' matches 'admin.user.create'.
 * Every adapter uses this so prefix semantics cannot drift between them.
 */
export function isTypePrefix(type: string): boolean {
  return type.endsWith('.');
}
