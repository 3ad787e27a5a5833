import { lifetimeLeft, secondsLeft } from '../lib/countdown.js';
import { audiencesOf, rolesOf, scopesOf, stringClaim } from '../lib/jwt.js';
import { acrWords, amrWords } from '../lib/strength-words.js';
import { formatClock, formatDateTime, formatDuration } from '../lib/time.js';
import type { Card } from '../session/card.js';
import { Chips } from './chips.js';
import { useNow } from './use-now.js';

interface KeyCardProps {
  card: Card;
  /** A checked-out card is drawn void (it is kept only to show the doors refuse it). */
  checkedOut?: boolean;
  /** The server refused the session (revoked): the countdown stops and the card is stamped so. */
  revoked?: boolean;
}

/**
 * The access token drawn as a hotel key card: who, which room, what it opens, and a live
 * countdown to its expiry. Decoded client-side for display; the doors do the verifying.
 */
export function KeyCard({ card, checkedOut = false, revoked = false }: KeyCardProps) {
  const now = useNow();
  // A revoked card's expiry no longer matters: the countdown stops.
  const left = revoked ? 0 : secondsLeft(card.exp, now);
  const username =
    stringClaim(card.payload, 'username') ?? card.user?.username ?? stringClaim(card.payload, 'sub');
  const room = stringClaim(card.payload, 'room');
  const roles = rolesOf(card.payload).length > 0 ? rolesOf(card.payload) : (card.user?.roles ?? []);
  const state = revoked ? 'revoked' : checkedOut ? 'checked-out' : left === 0 ? 'expired' : 'active';
  const kid = stringClaim(card.header, 'kid');
  const alg = stringClaim(card.header, 'alg');
  const acr = stringClaim(card.payload, 'acr');
  const amrClaim = card.payload['amr'];
  const amr = Array.isArray(amrClaim) ? amrClaim.filter((m): m is string => typeof m === 'string') : [];

  return (
    <article
      class={`keycard keycard-${state}`}
      data-testid="card"
      data-state={state}
      aria-labelledby="card-title"
    >
      <header class="keycard-top">
        <h2 id="card-title" class="keycard-brand">
          Hotel Keycard <span class="visually-hidden">— key card of {username}</span>
        </h2>
        <span class="keycard-chip" aria-hidden="true" />
      </header>
      <div class="keycard-stripe" aria-hidden="true" />
      <div class="keycard-main">
        <div>
          <span class="keycard-label">{roles.includes('manager') ? 'Staff' : 'Guest'}</span>
          <strong class="keycard-name" data-testid="card-username">
            {username ?? 'unknown'}
          </strong>
        </div>
        {room !== undefined ? (
          <div class="keycard-room">
            <span class="keycard-label">Room</span>
            <strong data-testid="card-room">{room}</strong>
          </div>
        ) : null}
      </div>
      <dl class="keycard-details">
        <div>
          <dt>Roles</dt>
          <dd>
            <Chips items={roles} testId="card-roles" />
          </dd>
        </div>
        <div>
          <dt>Opens (audience)</dt>
          <dd>
            <Chips items={audiencesOf(card.payload)} testId="card-audiences" />
          </dd>
        </div>
        <div>
          <dt>Bound to key</dt>
          <dd>
            <code data-testid="card-jkt" data-jkt={card.jkt ?? ''} title={card.jkt}>
              {card.jkt ? `${card.jkt.slice(0, 10)}…` : 'not bound'}
            </code>
          </dd>
        </div>
        <div>
          <dt>Signed in with</dt>
          <dd>
            <span data-testid="card-acr" data-acr={acr ?? ''} data-amr={amr.join(' ')} title={acr}>
              {acrWords(acr)}
              {amr.length > 0 ? <span class="muted"> ({amrWords(amr)})</span> : null}
            </span>
          </dd>
        </div>
        <div>
          <dt>May (scopes)</dt>
          <dd>
            <Chips items={scopesOf(card.payload)} testId="card-scopes" />
          </dd>
        </div>
      </dl>
      <footer class="keycard-footer">
        <div class="keycard-expiry">
          <span class="keycard-label">
            {revoked
              ? 'Revoked'
              : left === 0
                ? 'Expired'
                : checkedOut
                  ? 'Void — would expire in'
                  : 'Expires in'}
          </span>
          <span
            role="timer"
            class="keycard-clock"
            data-testid="card-expiry"
            data-exp={card.exp}
            data-seconds-left={left}
            title={formatDateTime(card.exp * 1000)}
            aria-label={revoked ? 'Revoked' : left > 0 ? `Expires in ${formatDuration(left)}` : 'Expired'}
          >
            {revoked ? 'no longer valid' : left > 0 ? formatClock(left) : formatDateTime(card.exp * 1000)}
          </span>
          <progress
            class="keycard-progress"
            max={1000}
            value={revoked ? 0 : Math.round(lifetimeLeft(card.exp, card.iat, now) * 1000)}
            aria-label="Share of the card's lifetime left"
          />
        </div>
        <div class="keycard-key">
          <span>
            kid{' '}
            <code data-testid="card-kid" title={kid}>
              {kid ? kid.slice(0, 12) : '—'}
            </code>
          </span>
          <span>
            alg <code data-testid="card-alg">{alg ?? '—'}</code>
          </span>
        </div>
      </footer>
      {checkedOut || revoked ? (
        <p class="keycard-stamp" data-testid="card-void">
          {revoked ? 'Revoked' : 'Checked out'}
        </p>
      ) : null}
    </article>
  );
}
