import { useState } from 'preact/hooks';
import { getFactors } from '../../api/mfa.js';
import { Status } from '../../components/status.js';
import { useLoad } from '../../components/use-load.js';
import { useNow } from '../../components/use-now.js';
import { useSessionManager } from '../../session/use-session.js';
import { PasskeysPanel } from './passkeys.js';
import { RecoveryCodesPanel, RecoveryCodesShown } from './recovery-codes.js';
import { TotpPanel } from './totp.js';

/**
 * "Security": the account's second factors (passkeys, the authenticator app) and recovery codes.
 * New recovery codes are held here, in memory only, until the person says they saved them.
 */
export function SecuritySection() {
  const manager = useSessionManager();
  const factors = useLoad(() => getFactors(manager));
  const now = useNow(60_000);
  const [codes, setCodes] = useState<string[] | undefined>(undefined);
  const data = factors.data;
  const count = data ? data.passkeys.length + (data.totp.enabled ? 1 : 0) : 0;
  const lastRequired = data?.required === true && count === 1;
  const reload = () => void factors.reload();

  return (
    <section
      class="panel security"
      aria-labelledby="security-title"
      data-testid="security"
      data-factors={data ? count : undefined}
      aria-busy={factors.loading}
    >
      <h2 id="security-title">Security</h2>
      {factors.error ? <Status tone="error">{factors.error}</Status> : null}
      {data ? (
        <p data-testid="security-summary" data-mfa={count > 0 ? 'on' : 'off'}>
          {count > 0 ? (
            <>
              <span class="badge badge-ok">Second factor on</span> Sign-ins ask for a passkey or a code after
              your password.
            </>
          ) : (
            <>
              <span class="badge badge-bad">Password only</span> Add a passkey or an authenticator app so a
              stolen password is not enough.
            </>
          )}
          {data.required ? ' Your role requires a second factor.' : ''}
        </p>
      ) : null}
      {codes ? <RecoveryCodesShown codes={codes} onDone={() => setCodes(undefined)} /> : null}
      {data ? (
        <>
          <PasskeysPanel
            passkeys={data.passkeys}
            now={now}
            lastRequired={lastRequired}
            busy={factors.loading}
            onChanged={reload}
            onCodes={setCodes}
          />
          <TotpPanel
            totp={data.totp}
            now={now}
            lastRequired={lastRequired}
            onChanged={reload}
            onCodes={setCodes}
          />
          <RecoveryCodesPanel
            remaining={data.recovery_codes.remaining}
            hasFactor={count > 0}
            onCodes={(next) => {
              setCodes(next);
              reload();
            }}
          />
        </>
      ) : null}
    </section>
  );
}
