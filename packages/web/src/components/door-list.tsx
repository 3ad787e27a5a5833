import type { StepUpChallenge } from '@keycard/protocol';
import type { DoorResult } from '../api/doors.js';
import type { Door } from '../api/types.js';
import type { Card } from '../session/card.js';
import { DoorResultView } from './door-result.js';

export interface DoorAttempt {
  pending: boolean;
  result: DoorResult | undefined;
  cardLabel: string | undefined;
  /** The card that went to the door. */
  card?: Card | undefined;
  /** The door asked for a stronger sign-in (RFC 9470). */
  stepUp?: StepUpChallenge | undefined;
}

interface DoorListProps {
  doors: Door[];
  attempts: Record<string, DoorAttempt>;
  onTap: (door: Door) => void;
  /** Starts the sign-in a door asked for (absent: no step-up offered, e.g. with an old card). */
  onStepUp?: ((door: Door, challenge: StepUpChallenge) => void) | undefined;
  /** A step-up is on its way to the front desk. */
  steppingUp?: boolean;
}

/** The doors of the hotel: each is a button that calls its service with the card. */
export function DoorList({ doors, attempts, onTap, onStepUp, steppingUp = false }: DoorListProps) {
  if (doors.length === 0) {
    return (
      <p class="muted" data-testid="doors-empty">
        No doors are configured on this server (config option <code>ui.doors</code>).
      </p>
    );
  }
  return (
    <ul class="doors" data-testid="doors-list">
      {doors.map((door) => {
        const attempt = attempts[door.id];
        const stepUp = attempt?.stepUp;
        const outcome = attempt?.pending ? 'pending' : (attempt?.result?.outcome ?? 'none');
        return (
          <li key={door.id} class={`door door-${outcome}`}>
            <button
              type="button"
              class="door-button"
              data-testid={`door-${door.id}`}
              aria-describedby={`door-${door.id}-desc`}
              disabled={attempt?.pending}
              onClick={() => onTap(door)}
            >
              <span class="door-icon" aria-hidden="true" />
              <span class="door-name">{door.name}</span>
            </button>
            <p class="door-desc" id={`door-${door.id}-desc`}>
              {door.description ?? door.url}
            </p>
            <DoorResultView
              doorId={door.id}
              result={attempt?.result}
              pending={attempt?.pending ?? false}
              cardLabel={attempt?.cardLabel}
              card={attempt?.card}
              stepUp={stepUp}
              onStepUp={onStepUp && stepUp ? () => onStepUp(door, stepUp) : undefined}
              stepUpBusy={steppingUp}
            />
          </li>
        );
      })}
    </ul>
  );
}
