import type { ClientGrant } from '@keycard/protocol';
import { useState } from 'preact/hooks';
import { type NewClient, secretFrom } from '../../api/admin.js';
import { SelectField, TextField } from '../../components/field.js';
import { Status } from '../../components/status.js';
import { useAction } from '../../components/use-action.js';
import { parseJwks, splitUris } from '../../lib/client-form.js';
import { splitList } from '../../lib/lists.js';
import {
  ClientCodeFlowFields,
  ClientKeyFields,
  type CodeFlowInput,
  type KeysInput,
} from './client-flow-fields.js';
import { useAdmin } from './use-admin.js';

const GRANTS = ['client_credentials', 'password', 'refresh_token', 'authorization_code'] as const;
const NO_CODE_FLOW: CodeFlowInput = {
  redirectUris: '',
  postLogoutRedirectUris: '',
  backchannelLogoutUri: '',
};
const NO_KEYS: KeysInput = { jwks: '', noSecret: false };

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
  const [codeFlow, setCodeFlow] = useState<CodeFlowInput>(NO_CODE_FLOW);
  const [keys, setKeys] = useState<KeysInput>(NO_KEYS);
  const [secret, setSecret] = useState<string | undefined>(undefined);

  const toggleGrant = (grant: string, on: boolean) =>
    setGrants((prev) => (on ? [...new Set([...prev, grant])] : prev.filter((g) => g !== grant)));
  const usesCodeFlow = grants.includes('authorization_code');
  const confidential = type === 'confidential';

  const submit = async (event: Event) => {
    event.preventDefault();
    setSecret(undefined);
    // Pasted keys are checked as JSON here; the server checks the keys themselves.
    const parsed = confidential ? parseJwks(keys.jwks) : { ok: true as const, jwks: undefined };
    if (!parsed.ok) {
      action.setMessage({ tone: 'error', text: parsed.message });
      return;
    }
    const backchannel = codeFlow.backchannelLogoutUri.trim();
    const body: NewClient = {
      id: id.trim(),
      name: name.trim() || id.trim(),
      type,
      grants: grants as ClientGrant[],
      audiences: splitList(audiences),
      scopes: splitList(scopes),
      firstParty,
      ...(usesCodeFlow
        ? {
            redirectUris: splitUris(codeFlow.redirectUris),
            postLogoutRedirectUris: splitUris(codeFlow.postLogoutRedirectUris),
            ...(backchannel !== '' ? { backchannelLogoutUri: backchannel } : {}),
          }
        : {}),
      ...(parsed.jwks !== undefined ? { jwks: parsed.jwks } : {}),
      ...(confidential && keys.noSecret ? { secret: false } : {}),
    };
    const done = await action.run(() => api.createClient(body), `Client ${body.id} created.`);
    if (done.ok) {
      setSecret(secretFrom(done.value));
      setId('');
      setName('');
      setCodeFlow(NO_CODE_FLOW);
      setKeys(NO_KEYS);
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
          { value: 'confidential', label: 'confidential (secret or keys)' },
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
      {usesCodeFlow ? <ClientCodeFlowFields value={codeFlow} onValue={setCodeFlow} /> : null}
      {confidential ? <ClientKeyFields value={keys} onValue={setKeys} /> : null}
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
          {/* A textarea, so the whole secret is in view on a phone too (it breaks anywhere). */}
          <textarea
            id="admin-client-secret"
            class="token-input"
            readOnly
            rows={2}
            spellcheck={false}
            value={secret}
            data-testid="admin-client-secret"
            onFocus={(e) => e.currentTarget.select()}
          />
        </div>
      ) : null}
    </form>
  );
}
