import { useState } from 'preact/hooks';
import { TextField } from '../../components/field.js';
import { Status } from '../../components/status.js';
import { useAction } from '../../components/use-action.js';
import { splitList } from '../../lib/lists.js';
import { useAdmin } from './use-admin.js';

interface UserCreateProps {
  onCreated: () => void;
}

function parseClaims(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

/** Creates a user with roles, a password and optional custom claims (e.g. a room). */
export function UserCreate({ onCreated }: UserCreateProps) {
  const api = useAdmin();
  const action = useAction();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState('guest');
  const [claims, setClaims] = useState('');

  const submit = async (event: Event) => {
    event.preventDefault();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = parseClaims(claims);
    } catch {
      action.setMessage({ tone: 'error', text: 'Claims must be a JSON object, e.g. {"room": "103"}.' });
      return;
    }
    const body = {
      username: username.trim(),
      password,
      roles: splitList(roles),
      ...(parsed ? { claims: parsed } : {}),
    };
    const done = await action.run(() => api.createUser(body), `User ${body.username} created.`);
    if (done.ok) {
      setUsername('');
      setPassword('');
      onCreated();
    }
  };

  return (
    <form class="form form-grid" onSubmit={submit} data-testid="admin-user-create">
      <h3>New user</h3>
      <TextField
        id="admin-user-create-username"
        label="Username"
        required
        autoComplete="off"
        value={username}
        onValue={setUsername}
      />
      <TextField
        id="admin-user-create-password"
        label="Password"
        type="password"
        required
        autoComplete="new-password"
        value={password}
        onValue={setPassword}
      />
      <TextField
        id="admin-user-create-roles"
        label="Roles (comma-separated)"
        value={roles}
        onValue={setRoles}
      />
      <TextField
        id="admin-user-create-claims"
        label="Claims (JSON, optional)"
        placeholder='{"room": "103"}'
        value={claims}
        onValue={setClaims}
      />
      <div class="actions">
        <button type="submit" class="button" disabled={action.busy} data-testid="admin-user-create-submit">
          Create user
        </button>
      </div>
      <Status tone={action.message?.tone} code={action.message?.code} testId="admin-user-create-status">
        {action.message?.text}
      </Status>
    </form>
  );
}
