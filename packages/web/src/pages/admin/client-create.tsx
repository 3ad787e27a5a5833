import type { ClientGrant } from '@keycard/protocol';
import { useState } from 'preact/hooks';
import { secretFrom } from '../../api/admin.js';
import { SelectField, TextField } from '../../components/field.js';
import { Status } from '../../components/status.js';
import { useAction } from '../../components/use-action.js';
import { splitList } from '../../lib/lists.js';
import { useAdmin } from './use-admin.js';

const GRANTS = ['client_credentials', 'password', 'refresh_token'] as const;

interface ClientCreateProps {
  onCreated: () => void;
}

/** Registers a client; a confidential client's secret is shown once, right here. */
export function ClientCreate({ onCreated }: ClientCreateProps) {
  const api = useAdmin();
  const action = useAction();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [type, setType] = useState<'public' | 'confidential'>('confidential');
  const [grants, setGrants] = useState<string[]>(['client_credentials']);
  const [audiences, setAudiences] = useState('');
  const [scopes, setScopes] = useState('');
  const [firstParty, setFirstParty] = useState(false);
  const [secret, setSecret] = useState<string | undefined>(undefined);

  const toggleGrant = (grant: string, on: boolean) =>
    setGrants((prev) => (on ? [...new Set([...prev, grant])] : prev.filter((g) => g !== grant)));

  const submit = async (event: Event) => {
    event.preventDefault();
    setSecret(undefined);
    const body = {
      id: id.trim(),
      name: name.trim() || id.trim(),
      type,
      grants: grants as ClientGrant[],
      audiences: splitList(audiences),
      scopes: splitList(scopes),
      firstParty,
    };
    const done = await action.run(() => api.createClient(body), `Client ${body.id} created.`);
    if (done.ok) {
      setSecret(secretFrom(done.value));
      setId('');
      setName('');
      onCreated();
    }
  };

  return (
    <form class="form form-grid" onSubmit={submit} data-testid="admin-client-create">
      <h3>New client</h3>
      <TextField id="admin-client-create-id" label="Client id" required value={id} onValue={setId} />
      <TextField id="admin-client-create-name" label="Name" value={name} onValue={setName} />
      <SelectField
        id="admin-client-create-type"
        label="Type"
        value={type}
        onValue={setType}
        options={[
          { value: 'confidential', label: 'confidential (has a secret)' },
          { value: 'public', label: 'public (no secret)' },
        ]}
      />
      <fieldset class="field field-wide">
        <legend>Grants</legend>
        {GRANTS.map((grant) => (
          <label key={grant} class="check-label">
            <input
              type="checkbox"
              checked={grants.includes(grant)}
              onChange={(e) => toggleGrant(grant, e.currentTarget.checked)}
              data-testid={`admin-client-create-grant-${grant}`}
            />
            {grant}
          </label>
        ))}
      </fieldset>
      <TextField
        id="admin-client-create-audiences"
        label="Audiences (comma-separated)"
        value={audiences}
        onValue={setAudiences}
      />
      <TextField
        id="admin-client-create-scopes"
        label="Scopes (comma-separated)"
        value={scopes}
        onValue={setScopes}
      />
      <label class="check-label">
        <input
          type="checkbox"
          checked={firstParty}
          onChange={(e) => setFirstParty(e.currentTarget.checked)}
          data-testid="admin-client-create-first-party"
        />
        First-party (may use the password grant)
      </label>
      <div class="actions">
        <button type="submit" class="button" disabled={action.busy} data-testid="admin-client-create-submit">
          Create client
        </button>
      </div>
      <Status tone={action.message?.tone} code={action.message?.code} testId="admin-client-create-status">
        {action.message?.text}
      </Status>
      {secret ? (
        <div class="secret-once" data-testid="admin-client-secret-box">
          <p>
            <strong>Client secret — shown once.</strong> Copy it now; the server keeps only its hash.
          </p>
          <label for="admin-client-secret" class="visually-hidden">
            Client secret
          </label>
          <input
            id="admin-client-secret"
            readOnly
            value={secret}
            data-testid="admin-client-secret"
            onFocus={(e) => e.currentTarget.select()}
          />
        </div>
      ) : null}
    </form>
  );
}
