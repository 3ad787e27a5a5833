import { toEpochSeconds } from '@keycard/protocol';
import { useState } from 'preact/hooks';
import type { AuditFilter } from '../../api/admin.js';
import { TextField } from '../../components/field.js';

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
      <TextField
        id="admin-audit-type"
        label="Type"
        placeholder="login. or key.rotate"
        value={type}
        onValue={setType}
      />
      <TextField id="admin-audit-actor" label="Actor (id)" value={actor} onValue={setActor} />
      <TextField id="admin-audit-subject" label="Subject (id)" value={subject} onValue={setSubject} />
      <TextField
        id="admin-audit-since"
        label="Since"
        type="datetime-local"
        step={1}
        value={since}
        onValue={setSince}
      />
      <div class="actions">
        <button type="submit" class="button" data-testid="admin-audit-apply">
          Apply filters
        </button>
      </div>
    </form>
  );
}
