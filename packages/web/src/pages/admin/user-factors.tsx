import { useEffect, useRef } from 'preact/hooks';
import type { AdminApi, AdminUser } from '../../api/admin.js';
import { useConfirm } from '../../components/confirm.js';
import { Status } from '../../components/status.js';
import { TimeText } from '../../components/time-cell.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { useNow } from '../../components/use-now.js';

interface UserFactorsProps {
  user: AdminUser;
  api: AdminApi;
  onClose: () => void;
  /** After a reset: the list's "Second factor" column changes. */
  onReset: () => void;
}

/**
 * One user's second factors as the manager sees them (never a secret: names and dates), and
 * "Reset second factors" for a guest who lost their phone and their codes: asked first, audited
 * by the server (`mfa.reset`).
 */
export function UserFactors({ user, api, onClose, onReset }: UserFactorsProps) {
  const factors = useLoad(() => api.userFactors(user.id));
  const confirm = useConfirm();
  const action = useAction();
  const now = useNow(60_000);
  const heading = useRef<HTMLHeadingElement>(null);
  // The panel opens under the list: focus follows, so a keyboard or screen-reader user lands on it.
  useEffect(() => heading.current?.focus(), []);
  const data = factors.data;
  const count = data ? data.passkeys.length + (data.totp.enabled ? 1 : 0) : 0;

  const reset = async () => {
    const ok = await confirm.ask({
      title: `Reset the second factors of ${user.username}?`,
      body: (
        <p>
          Removes {user.username}’s authenticator app, every passkey and every recovery code.{' '}
          {data?.required
            ? `A role of ${user.username} requires a second factor: they set up a new one at their next sign-in.`
            : `${user.username} signs in with the password alone until they add a new one.`}{' '}
          Do this only once you are sure who is asking. The reset is written to the audit log.
        </p>
      ),
      confirm: 'Reset second factors',
    });
    if (!ok) return;
    const done = await action.run(
      () => api.resetUserFactors(user.id),
      `Second factors of ${user.username} reset.`,
      `Reset the second factors of ${user.username}`,
    );
    if (done.ok) {
      onReset();
      await factors.reload();
    }
  };

  return (
    <section
      class="panel-inset user-factors"
      aria-labelledby="admin-user-factors-title"
      data-testid="admin-user-factors"
      data-user={user.username}
      data-count={data ? count : undefined}
      aria-busy={factors.loading}
    >
      {confirm.dialog}
      <h3 id="admin-user-factors-title" ref={heading} tabIndex={-1}>
        Second factors of {user.username}
      </h3>
      {factors.error ? <Status tone="error">{factors.error}</Status> : null}
      {data ? (
        <ul class="factor-list">
          <li data-testid="admin-user-factors-totp" data-enabled={data.totp.enabled}>
            Authenticator app:{' '}
            {data.totp.enabled ? (
              <>
                on, added <TimeText value={data.totp.confirmed_at} now={now} past />
              </>
            ) : (
              'none'
            )}
          </li>
          <li data-testid="admin-user-factors-passkeys" data-count={data.passkeys.length}>
            Passkeys:{' '}
            {data.passkeys.length === 0
              ? 'none'
              : data.passkeys.map((p, i) => (
                  <span key={p.id}>
                    {i > 0 ? ', ' : ''}
                    {p.name} (last used{' '}
                    {p.last_used_at === null ? 'never' : <TimeText value={p.last_used_at} now={now} past />})
                  </span>
                ))}
          </li>
          <li data-testid="admin-user-factors-codes">Recovery codes left: {data.recovery_codes.remaining}</li>
          {data.required ? <li>A role of {user.username} requires a second factor.</li> : null}
        </ul>
      ) : null}
      <div class="actions">
        <button
          type="button"
          class="button button-small button-danger"
          disabled={action.busy || count + (data?.recovery_codes.remaining ?? 0) === 0}
          onClick={() => void reset()}
          data-testid="admin-user-factors-reset"
        >
          Reset second factors
        </button>
        <button type="button" class="button button-small button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <Status tone={action.message?.tone} code={action.message?.code} testId="admin-user-factors-status">
        {action.message?.text}
      </Status>
    </section>
  );
}
