import { useState } from 'preact/hooks';
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
      <div class="field">
        <label for="admin-user-create-username">Username</label>
        <input
          id="admin-user-create-username"
          required
          autoComplete="off"
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
          data-testid="admin-user-create-username"
        />
      </div>
      <div class="field">
        <label for="admin-user-create-password">Password</label>
        <input
          id="admin-user-create-password"
          type="password"
          required
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          data-testid="admin-user-create-password"
        />
      </div>
      <div class="field">
        <label for="admin-user-create-roles">Roles (comma-separated)</label>
        <input
          id="admin-user-create-roles"
          value={roles}
          onInput={(e) => setRoles(e.currentTarget.value)}
          data-testid="admin-user-create-roles"
        />
      </div>
      <div class="field">
        <label for="admin-user-create-claims">Claims (JSON, optional)</label>
        <input
          id="admin-user-create-claims"
          placeholder='{"room": "103"}'
          value={claims}
          onInput={(e) => setClaims(e.currentTarget.value)}
          data-testid="admin-user-create-claims"
        />
      </div>
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
