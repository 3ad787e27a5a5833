import type { Door } from '../api/types.js';
import { secondsLeft } from '../lib/countdown.js';
import { formatClock, formatDateTime } from '../lib/time.js';
import type { Card } from '../session/card.js';
import { Cell, Table } from './table.js';
import { useNow } from './use-now.js';

interface DeskCardsProps {
  /** The session was revoked: no countdowns, every card reads "revoked". */
  revoked?: boolean;
  /** The API card (audience `keycard`). */
  apiCard: Card | undefined;
  /** The door cards, by audience. */
  doorCards: Record<string, Card>;
  doors: Door[];
}

/** A thumbprint short enough to read: its first 10 characters. */
export function fingerprint(jkt: string | undefined): string {
  return jkt === undefined ? 'not bound' : `${jkt.slice(0, 10)}…`;
}

/**
 * Which card went to which door: one row per card, with its one audience, the doors it opens,
 * the key it is bound to (`cnf.jkt`) and when it expires.
 */
export function DeskCards({ apiCard, doorCards, doors, revoked = false }: DeskCardsProps) {
  const now = useNow();
  const rows = [
    ...(apiCard ? [{ card: apiCard, usedAt: 'the front desk API (/api/*)' }] : []),
    ...Object.values(doorCards).map((card) => ({
      card,
      usedAt:
        doors
          .filter((d) => d.audience === card.audience)
          .map((d) => d.name)
          .join(', ') || card.audience,
    })),
  ];
  return (
    <section class="desk-cards" aria-labelledby="desk-cards-title">
      <h2 id="desk-cards-title">Cards on the desk</h2>
      <p class="muted">
        One card per door: each names a single audience and is bound to this browser's key, so a card a door
        sees cannot be used at another door, nor without the key.
      </p>
      <Table testId="desk-cards" columns={['Audience', 'Opens', 'Bound to key', 'Expires in']}>
        {rows.map(({ card, usedAt }) => {
          const left = secondsLeft(card.exp, now);
          return (
            <tr
              key={card.audience}
              data-testid={`desk-card-${card.audience}`}
              data-aud={card.audience}
              data-jkt={card.jkt ?? ''}
              data-token-type={card.tokenType}
              data-exp={card.exp}
            >
              <Cell label="Audience" header>
                <code>{card.audience}</code>
              </Cell>
              <Cell label="Opens">{usedAt}</Cell>
              <Cell label="Bound to key">
                <code title={card.jkt}>{fingerprint(card.jkt)}</code>
              </Cell>
              <Cell label="Expires in" title={formatDateTime(card.exp * 1000)}>
                {revoked ? 'revoked' : left > 0 ? formatClock(left) : 'expired'}
              </Cell>
            </tr>
          );
        })}
      </Table>
    </section>
  );
}
