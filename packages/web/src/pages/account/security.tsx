import { useEffect, useRef, useState } from 'preact/hooks';
import { getFactors } from '../../api/mfa.js';
import { RecoveryCodes } from '../../components/recovery-codes.js';
import { Status } from '../../components/status.js';
import { useLoad } from '../../components/use-load.js';
import { useNow } from '../../components/use-now.js';
import { useSessionManager } from '../../session/use-session.js';
import { PasskeysPanel } from './passkeys.js';
import { RecoveryCodesPanel } from './recovery-codes.js';
import { TotpPanel } from './totp.js';

/** New recovery codes, shown once in their own region; focus moves there so nobody misses them. */
function NewCodes({ codes, onSaved }: { codes: string[]; onSaved: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="recovery-shown" aria-labelledby="recovery-shown-title" data-testid="recovery-shown">
      <h3 id="recovery-shown-title" ref={heading} tabIndex={-1}>
        Your new recovery codes
      </h3>
      <RecoveryCodes codes={codes} onSaved={onSaved} continueLabel="Done" />
    </section>
  );
}

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
      {codes ? <NewCodes codes={codes} onSaved={() => setCodes(undefined)} /> : null}
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
