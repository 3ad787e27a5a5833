import type { InspectResult } from '../api/types.js';

/** Human names for the server's checks, in the order it runs them. */
const CHECK_LABELS: Record<string, string> = {
  format: 'Format (three base64url parts, JSON header and claims)',
  alg: 'Algorithm allowed and bound to the key',
  signature: "Signature matches one of the server's keys",
  typ: 'Type is at+jwt',
  iss: 'Issuer is this server',
  aud: 'Audience is one the server knows',
  exp: 'Not expired',
  nbf: 'Already valid (not before)',
  iat: 'Issued-at is not in the future',
  revoked: 'Not revoked',
};

interface InspectorChecksProps {
  result: InspectResult;
}

/** Each check the server ran, with ok/failed, its code and message. */
export function InspectorChecks({ result }: InspectorChecksProps) {
  return (
    <div class="checks-wrap">
      <p
        class={`verdict ${result.valid ? 'verdict-ok' : 'verdict-bad'}`}
        data-testid="inspector-valid"
        data-valid={result.valid ? 'true' : 'false'}
      >
        {result.valid ? 'Valid: every check passed.' : 'Invalid: see the failed checks below.'}
      </p>
      <ol class="checks" data-testid="inspector-checks">
        {result.checks.map((check) => (
          <li
            key={check.name}
            class={`check ${check.ok ? 'check-ok' : 'check-failed'}`}
            data-testid={`inspector-check-${check.name}`}
            data-ok={check.ok ? 'true' : 'false'}
            data-code={check.code}
          >
            <span class="check-mark" aria-hidden="true">
              {check.ok ? '✓' : '✗'}
            </span>
            <span class="check-name">
              <code>{check.name}</code> {CHECK_LABELS[check.name] ?? ''}
            </span>
            <span class="check-state">{check.ok ? 'ok' : 'failed'}</span>
            {check.code || check.message ? (
              <span class="check-detail">
                {check.code ? <code>{check.code}</code> : null} {check.message ?? ''}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
