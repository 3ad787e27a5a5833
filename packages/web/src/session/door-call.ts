/**
 * Opening a door with the right card: the door's own card (its audience only), minted on demand,
 * sent with a fresh DPoP proof for exactly this request. A 401 gets one retry with a new card
 * (it may just have expired or been rotated by another tab), unless the door asks for a stronger
 * sign-in (RFC 9470): no card of this session would do, the person must sign in again.
 */

import { parseStepUpChallenge, type StepUpChallenge } from '@keycard/protocol';
import type { CallCredentials } from '../api/auth.js';
import type { DoorResult } from '../api/doors.js';
import { tryDoor } from '../api/doors.js';
import type { Door } from '../api/types.js';
import { messageOf } from '../lib/errors.js';
import type { Card } from './card.js';
import type { ProofSigner } from './proofs.js';
import type { SessionManager } from './session-manager.js';

/** The card that went to a door, and what the door said. */
export interface DoorVisit {
  result: DoorResult;
  card: Card | undefined;
  /** The door wants a stronger or more recent sign-in (its 401 challenge said so). */
  stepUp?: StepUpChallenge | undefined;
}

/** The step-up a refusal asks for: only a 401 whose challenge says `insufficient_user_authentication`. */
export function stepUpOf(result: DoorResult): StepUpChallenge | undefined {
  return result.status === 401 ? parseStepUpChallenge(result.challenge ?? null) : undefined;
}

/** How to present `card` at `door`: its scheme, and a proof of the key when it is bound. */
export function doorCredentials(proofs: ProofSigner, door: Door, card: Card): CallCredentials {
  const proof =
    card.tokenType === 'DPoP' ? proofs.forUrl(door.method ?? 'GET', door.url, card.token) : undefined;
  return { token: card.token, tokenType: card.tokenType, proof };
}

function failed(message: string): DoorResult {
  return {
    outcome: 'unreachable',
    status: 0,
    code: undefined,
    message,
    body: undefined,
    challenge: undefined,
    at: Date.now(),
  };
}

/**
 * Opens `door` with the session's card for the door's audience.
 *
 * @example
 * const { result, card } = await openDoor(session, door);
 */
export async function openDoor(session: SessionManager, door: Door): Promise<DoorVisit> {
  const audience = door.audience;
  if (audience === undefined) {
    return { result: failed('This door names no audience (ui.doors[].audience).'), card: undefined };
  }
  let card: Card;
  try {
    card = await session.doorCard(audience);
  } catch (err) {
    return { result: failed(`No card for ${audience}: ${messageOf(err)}`), card: undefined };
  }
  const result = await tryDoor(door, doorCredentials(session.proofs, door, card));
  if (result.status !== 401) return { result, card };
  const stepUp = stepUpOf(result);
  if (stepUp !== undefined) return { result, card, stepUp };
  try {
    const next = await session.doorCard(audience, card.token);
    if (next.token === card.token) return { result, card };
    const retried = await tryDoor(door, doorCredentials(session.proofs, door, next));
    return { result: retried, card: next, stepUp: stepUpOf(retried) };
  } catch {
    return { result, card };
  }
}

/**
 * Tries the card of an ended session at `door`: that door's old card if one was minted, else the
 * old API card (which no door accepts anyway: its audience is `keycard`).
 */
export async function tryOldCard(
  session: SessionManager,
  door: Door,
  oldCard: Card | undefined,
  oldDoorCards: Record<string, Card>,
): Promise<DoorVisit> {
  const card = (door.audience && oldDoorCards[door.audience]) || oldCard;
  if (!card) return { result: failed('No old card to try.'), card: undefined };
  return { result: await tryDoor(door, doorCredentials(session.proofs, door, card)), card };
}
