import { isTypePrefix } from '../audit-filter.js';
import type { AuditEvent, AuditStore, RevocationEvent, RevocationStore } from '../types.js';
import { copy, type MemoryState } from './state.js';

export function memoryRevocations(state: MemoryState): RevocationStore {
  return {
    async append(event) {
      state.lastCursor += 1;
      const stored = { ...copy(event), cursor: state.lastCursor } as RevocationEvent;
      state.revocations.push(stored);
      return copy(stored);
    },
    async listAfter(after, limit) {
      // Appended in cursor order, so the array is already sorted.
      return copy(state.revocations.filter((e) => e.cursor > after).slice(0, Math.max(0, limit)));
    },
    async latestCursor() {
      return state.lastCursor;
    },
    async deleteExpired(before) {
      const kept = state.revocations.filter((e) => e.expiresAt >= before);
      const count = state.revocations.length - kept.length;
      state.revocations = kept;
      return count;
    },
  };
}

export function memoryAudit(state: MemoryState): AuditStore {
  return {
    async append(event) {
      state.lastAuditId += 1;
      state.audit.push({ ...copy(event), id: state.lastAuditId });
    },
    async appendMany(events) {
      for (const event of events) {
        state.lastAuditId += 1;
        state.audit.push({ ...copy(event), id: state.lastAuditId });
      }
    },
    async list(filter) {
      const matches = (e: AuditEvent): boolean => {
        if (filter.type !== undefined) {
          if (isTypePrefix(filter.type) ? !e.type.startsWith(filter.type) : e.type !== filter.type)
            return false;
        }
        if (filter.actor !== undefined && e.actor !== filter.actor) return false;
        if (filter.subject !== undefined && e.subject !== filter.subject) return false;
        if (filter.since !== undefined && e.at < filter.since) return false;
        if (filter.until !== undefined && e.at >= filter.until) return false;
        if (filter.beforeId !== undefined && (e.id ?? 0) >= filter.beforeId) return false;
        return true;
      };
      const found: AuditEvent[] = [];
      // Newest first: walk the append-ordered array backwards and stop at the limit.
      for (let i = state.audit.length - 1; i >= 0 && found.length < filter.limit; i--) {
        const event = state.audit[i];
        if (event && matches(event)) found.push(event);
      }
      return copy(found);
    },
    async deleteBefore(before) {
      const kept = state.audit.filter((e) => e.at >= before);
      const count = state.audit.length - kept.length;
      state.audit = kept;
      return count;
    },
  };
}
