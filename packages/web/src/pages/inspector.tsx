import { useMemo, useState } from 'preact/hooks';
import { apiRequest } from '../api/http.js';
import type { InspectResult } from '../api/types.js';
import { ClaimsTable } from '../components/claims-table.js';
import { Page } from '../components/page.js';
import { Status } from '../components/status.js';
import { useNow } from '../components/use-now.js';
import { messageOf } from '../lib/errors.js';
import type { DecodedJwt } from '../lib/jwt.js';
import { decodeJwt } from '../lib/jwt.js';
import { useSession, useSessionManager } from '../session/use-session.js';
import { InspectorBinding } from './inspector-binding.js';
import { InspectorChecks } from './inspector-checks.js';

/** A pasted token without surrounding space or a copied `Bearer ` prefix. */
function cleanToken(text: string): string {
  return text.trim().replace(/^(Bearer|DPoP)\s+/i, '');
}

/**
 * Paste a token: it is decoded here (no secret needed to read a JWT), then the server checks
 * it against its own keys and says which check fails and why.
 */
export function Inspector() {
  const manager = useSessionManager();
  const { card, doorCards } = useSession();
  const now = useNow();
  const [token, setToken] = useState('');
  const [result, setResult] = useState<InspectResult | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const decoded = useMemo((): DecodedJwt | Error | undefined => {
    if (token.trim() === '') return undefined;
    try {
      return decodeJwt(cleanToken(token));
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }, [token]);

  const verify = async (value: string) => {
    // A token that does not even decode gets one message, the decoder's; the server would only repeat it.
    if (decoded instanceof Error && value === token) return;
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const options = { method: 'POST' as const, body: { token: cleanToken(value) } };
      const answer = card
        ? await manager.request<InspectResult>('/api/inspect', options)
        : await apiRequest<InspectResult>('/api/inspect', options);
      setResult(answer);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const onInput = (value: string) => {
    setToken(value);
    setResult(undefined);
    setError(undefined);
  };

  return (
    <Page
      title="Token inspector"
      testId="page-inspector"
      intro="Anyone can read a JWT; only the signature makes it trustworthy. Decode a token here, then let the server verify it."
    >
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void verify(token);
        }}
      >
        <div class="field">
          <label for="inspector-input">Token (JWS compact)</label>
          <textarea
            id="inspector-input"
            class="token-input"
            rows={5}
            spellcheck={false}
            autoComplete="off"
            value={token}
            onInput={(e) => onInput(e.currentTarget.value)}
            data-testid="inspector-input"
          />
        </div>
        <div class="actions">
          <button
            type="submit"
            class="button"
            data-testid="inspector-verify"
            disabled={busy || token.trim() === '' || decoded instanceof Error}
          >
            {busy ? 'Verifying…' : 'Verify'}
          </button>
          {card ? (
            <button
              type="button"
              class="button button-secondary"
              data-testid="inspector-use-mine"
              onClick={() => {
                onInput(card.token);
                void verify(card.token);
              }}
            >
              Inspect my API card
            </button>
          ) : null}
          {Object.values(doorCards).map((doorCard) => (
            <button
              key={doorCard.audience}
              type="button"
              class="button button-secondary"
              data-testid={`inspector-use-${doorCard.audience}`}
              onClick={() => {
                onInput(doorCard.token);
                void verify(doorCard.token);
              }}
            >
              Inspect my {doorCard.audience} card
            </button>
          ))}
          <button
            type="button"
            class="button button-secondary"
            data-testid="inspector-clear"
            onClick={() => onInput('')}
          >
            Clear
          </button>
        </div>
      </form>
      <Status tone="error" testId="inspector-error">
        {decoded instanceof Error ? decoded.message : error}
      </Status>
      <div aria-live="polite" data-testid="inspector-result">
        {result ? <InspectorChecks result={result} /> : null}
      </div>
      {decoded && !(decoded instanceof Error) ? <InspectorBinding payload={decoded.payload} /> : null}
      {decoded && !(decoded instanceof Error) ? (
        <div class="decoded">
          <ClaimsTable caption="Header" values={decoded.header} testId="inspector-header" now={now} />
          <ClaimsTable caption="Claims" values={decoded.payload} testId="inspector-claims" now={now} />
        </div>
      ) : null}
    </Page>
  );
}
