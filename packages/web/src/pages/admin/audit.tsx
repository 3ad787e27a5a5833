import { useEffect, useState } from 'preact/hooks';
import type { AuditEntry, AuditFilter } from '../../api/admin.js';
import { Status } from '../../components/status.js';
import { TimeText } from '../../components/time-cell.js';
import { useNow } from '../../components/use-now.js';
import { messageOf } from '../../lib/errors.js';
import { AuditFilters } from './audit-filters.js';
import { useAdmin } from './use-admin.js';
import { useUserNames } from './use-user-names.js';

const PAGE_SIZE = 50;

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
      <div class="table-wrap">
        <table data-testid="admin-audit-list" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Type</th>
              <th scope="col">Actor</th>
              <th scope="col">Subject</th>
              <th scope="col">IP</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, index) => (
              <tr key={e.id ?? index} data-testid="admin-audit-entry" data-type={e.type}>
                <td>
                  <TimeText value={e.at} now={now} />
                </td>
                <td>
                  <code>{e.type}</code>
                </td>
                <td>{who(e.actor)}</td>
                <td>{who(e.subject)}</td>
                <td>{e.ip ?? '—'}</td>
                <td>
                  <code class="small">
                    {e.detail && Object.keys(e.detail).length > 0 ? JSON.stringify(e.detail) : ''}
                  </code>
                </td>
              </tr>
            ))}
            {entries.length === 0 && !loading ? (
              <tr>
                <td colSpan={6} class="muted">
                  No events match.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
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
