import { actorsOf } from '../lib/delegation.js';
import type { JsonObject } from '../lib/jwt.js';
import { audiencesOf, stringClaim } from '../lib/jwt.js';
import { jktOf } from '../session/card.js';

interface InspectorBindingProps {
  payload: JsonObject;
}

/**
 * Where the card works and in whose hands: its audience, the key it is bound to (`cnf.jkt`) and
 * who is acting for whom (`act`), with the reason a card stolen from one door is useless elsewhere.
 */
export function InspectorBinding({ payload }: InspectorBindingProps) {
  const audiences = audiencesOf(payload);
  const jkt = jktOf(payload);
  const actors = actorsOf(payload['act']);
  const subject = stringClaim(payload, 'username') ?? stringClaim(payload, 'sub') ?? 'the subject';
  return (
    <section class="binding" aria-labelledby="binding-title" data-testid="inspector-binding">
      <h2 id="binding-title">One door, one holder</h2>
      <dl class="binding-facts">
        <div>
          <dt>Audience (the one door it opens)</dt>
          <dd data-testid="inspector-aud" data-count={audiences.length}>
            {audiences.length === 0 ? 'none' : audiences.join(', ')}
            {audiences.length > 1
              ? ' — a multi-audience card: every one of these doors can replay it at the others.'
              : ''}
          </dd>
        </div>
        <div>
          <dt>Bound to key (cnf.jkt)</dt>
          <dd data-testid="inspector-cnf" data-jkt={jkt ?? ''}>
            {jkt === undefined ? (
              'not bound — a bearer card: whoever holds it can use it'
            ) : (
              <code>{jkt}</code>
            )}
          </dd>
        </div>
        <div>
          <dt>Acting for the holder (act)</dt>
          <dd data-testid="inspector-act" data-chain={actors.join(' > ')}>
            {actors.length === 0 ? 'nobody — the holder uses it directly' : [subject, ...actors].join(' → ')}
          </dd>
        </div>
      </dl>
      <p class="binding-why" data-testid="inspector-why">
        Why a card stolen from a door is useless elsewhere: it names{' '}
        {audiences.length === 1 ? (
          <>
            a single audience (<code>{audiences[0]}</code>), so every other door and the front desk's own API
            refuse it
          </>
        ) : (
          'its audience, so doors not named refuse it'
        )}
        {jkt === undefined
          ? '. This one is not bound to a key, so at its own door it works for whoever holds it until it expires.'
          : `; and it is bound to its holder's key (cnf.jkt), so even at its own door it only works with a fresh proof signed by that key — which never leaves the holder's browser. A door sees the card and one used proof, never the key.`}
      </p>
    </section>
  );
}
