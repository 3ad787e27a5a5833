import { toEpochSeconds } from '@keycard/protocol';
import { useState } from 'preact/hooks';
import type { AuditFilter } from '../../api/admin.js';

interface AuditFiltersProps {
  onApply: (filter: AuditFilter) => void;
}

/** Filters for the audit log: type (exact, or a prefix ending in '.'), actor, subject, since. */
export function AuditFilters({ onApply }: AuditFiltersProps) {
  const [type, setType] = useState('');
  const [actor, setActor] = useState('');
  const [subject, setSubject] = useState('');
  const [since, setSince] = useState('');

  const submit = (event: Event) => {
    event.preventDefault();
    const sinceMs = since ? new Date(since).getTime() : Number.NaN;
    onApply({
      type: type.trim() || undefined,
      actor: actor.trim() || undefined,
      subject: subject.trim() || undefined,
      since: Number.isNaN(sinceMs) ? undefined : toEpochSeconds(sinceMs),
    });
  };

  return (
    <form class="form form-filters" onSubmit={submit} data-testid="admin-audit-filters">
      <div class="field">
        <label for="admin-audit-type">Type</label>
        <input
          id="admin-audit-type"
          placeholder="login. or key.rotate"
          value={type}
          onInput={(e) => setType(e.currentTarget.value)}
          data-testid="admin-audit-type"
        />
      </div>
      <div class="field">
        <label for="admin-audit-actor">Actor (id)</label>
        <input
          id="admin-audit-actor"
          value={actor}
          onInput={(e) => setActor(e.currentTarget.value)}
          data-testid="admin-audit-actor"
        />
      </div>
      <div class="field">
        <label for="admin-audit-subject">Subject (id)</label>
        <input
          id="admin-audit-subject"
          value={subject}
          onInput={(e) => setSubject(e.currentTarget.value)}
          data-testid="admin-audit-subject"
        />
      </div>
      <div class="field">
        <label for="admin-audit-since">Since</label>
        <input
          id="admin-audit-since"
          type="datetime-local"
          step={1}
          value={since}
          onInput={(e) => setSince(e.currentTarget.value)}
          data-testid="admin-audit-since"
        />
      </div>
      <div class="actions">
        <button type="submit" class="button" data-testid="admin-audit-apply">
          Apply filters
        </button>
      </div>
    </form>
  );
}
