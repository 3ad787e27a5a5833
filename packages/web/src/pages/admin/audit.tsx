import { useEffect, useState } from 'preact/hooks';
import type { AuditEntry, AuditFilter } from '../../api/admin.js';
import { Status } from '../../components/status.js';
import { Cell, Table } from '../../components/table.js';
import { TimeText } from '../../components/time-cell.js';
import { useNow } from '../../components/use-now.js';
import { messageOf } from '../../lib/errors.js';
import { AuditFilters } from './audit-filters.js';
import { useAdmin } from './use-admin.js';
import { useUserNames } from './use-user-names.js';

const PAGE_SIZE = 50;

/** An event's detail as `key: value` lines (values that are not strings as JSON). */
function detailLines(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('\n');
}

/** The audit log, newest first, with filters and "older" paging. */
export function AdminAudit() {
  const api = useAdmin();
  const names = useUserNames();
  const now = useNow(15_000);
  const [filter, setFilter] = useState<AuditFilter>({});
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(false);

  const load = async (active: AuditFilter, before?: number) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.listAudit({ ...active, limit: PAGE_SIZE, before });
      setEntries((prev) => (before === undefined ? page.entries : [...prev, ...page.entries]));
      setNext(page.next);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(filter), [filter]);

  const who = (id: string | null) => (id ? (names.get(id) ? `${names.get(id)} (${id})` : id) : '—');

  return (
    <section class="panel" aria-labelledby="admin-audit-title">
      <h2 id="admin-audit-title">Audit log</h2>
      <AuditFilters onApply={setFilter} />
      {error ? <Status tone="error">{error}</Status> : null}
      <Table
        testId="admin-audit-list"
        busy={loading}
        columns={['When', 'Type', 'Actor', 'Subject', 'IP', 'Detail']}
        empty="No events match."
        isEmpty={entries.length === 0}
      >
        {entries.map((e, index) => (
          <tr key={e.id ?? index} data-testid="admin-audit-entry" data-type={e.type}>
            <Cell label="When">
              <TimeText value={e.at} now={now} past />
            </Cell>
            <Cell label="Type">
              <code>{e.type}</code>
            </Cell>
            <Cell label="Actor" wrap>
              {who(e.actor)}
            </Cell>
            <Cell label="Subject" wrap>
              {who(e.subject)}
            </Cell>
            <Cell label="IP">{e.ip ?? '—'}</Cell>
            <Cell label="Detail">
              {e.detail && Object.keys(e.detail).length > 0 ? (
                <code class="small cell-detail">{detailLines(e.detail)}</code>
              ) : null}
            </Cell>
          </tr>
        ))}
      </Table>
      {next !== null ? (
        <div class="actions">
          <button
            type="button"
            class="button button-secondary"
            disabled={loading}
            data-testid="admin-audit-more"
            onClick={() => void load(filter, next)}
          >
            Older events
          </button>
        </div>
      ) : null}
    </section>
  );
}
