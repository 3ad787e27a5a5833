import { sql } from 'kysely';
import { isTypePrefix } from '../audit-filter.js';
import { inBatches } from '../paging.js';
import type { AuditStore } from '../types.js';
import { count, type SqlContext } from './context.js';
import { auditToRow, rowToAudit } from './rows.js';

const CHUNK = 200;

export function sqlAudit({ db }: SqlContext): AuditStore {
  return {
    async append(event) {
      await db.insertInto('audit_events').values(auditToRow(event)).execute();
    },
    async appendMany(events) {
      if (events.length === 0) return;
      const rows = events.map(auditToRow);
      // One multi-row INSERT per chunk (bounded bind parameters), all chunks in one transaction.
      if (rows.length <= CHUNK) {
        await db.insertInto('audit_events').values(rows).execute();
        return;
      }
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += CHUNK) {
          await trx
            .insertInto('audit_events')
            .values(rows.slice(i, i + CHUNK))
            .execute();
        }
      });
    },
    async list(filter) {
      const { type } = filter;
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .$if(type !== undefined, (q) =>
          // substr() instead of LIKE: no wildcard escaping, and SQLite's LIKE ignores case.
          isTypePrefix(type ?? '')
            ? q.where(
                sql<string>`substr(${sql.ref('type')}, 1, ${sql.lit((type ?? '').length)})`,
                '=',
                type ?? '',
              )
            : q.where('type', '=', type ?? ''),
        )
        .$if(filter.actor !== undefined, (q) => q.where('actor', '=', filter.actor ?? ''))
        .$if(filter.subject !== undefined, (q) => q.where('subject', '=', filter.subject ?? ''))
        .$if(filter.since !== undefined, (q) => q.where('at', '>=', filter.since ?? 0))
        .$if(filter.until !== undefined, (q) => q.where('at', '<', filter.until ?? 0))
        .$if(filter.beforeId !== undefined, (q) => q.where('id', '<', filter.beforeId ?? 0))
        .orderBy('id', 'desc')
        .limit(Math.max(0, filter.limit))
        .execute();
      return rows.map(rowToAudit);
    },
    async deleteBefore(before, opts) {
      return inBatches(opts, async (size) => {
        const batch = db.selectFrom('audit_events').select('id').where('at', '<', before).limit(size);
        const result = await db.deleteFrom('audit_events').where('id', 'in', batch).executeTakeFirst();
        return count(result.numDeletedRows);
      });
    },
  };
}
