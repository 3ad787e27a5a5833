import type { StepUpChallenge } from '@keycard/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { apiRequest } from '../api/http.js';
import type { Door, UiConfig } from '../api/types.js';
import { DeskCards } from '../components/desk-cards.js';
import type { DoorAttempt } from '../components/door-list.js';
import { DoorList } from '../components/door-list.js';
import { KeyCard } from '../components/key-card.js';
import { Page } from '../components/page.js';
import type { StatusTone } from '../components/status.js';
import { Status } from '../components/status.js';
import { useLoad } from '../components/use-load.js';
import { messageOf } from '../lib/errors.js';
import { href } from '../router.js';
import { openDoor, tryOldCard } from '../session/door-call.js';
import { leaveForSignIn } from '../session/leave-for-sign-in.js';
import { useSession, useSessionManager } from '../session/use-session.js';

/**
 * The front desk: your key card and the doors. After check-out the old card stays on the
 * desk (in memory only) so you can watch every door refuse it.
 */
export function FrontDesk() {
  const manager = useSessionManager();
  const { status, card, oldCard, doorCards, oldDoorCards, revoked } = useSession();
  const config = useLoad(() => apiRequest<UiConfig>('/api/ui-config'));
  const [attempts, setAttempts] = useState<Record<string, DoorAttempt>>({});
  const [message, setMessage] = useState<{ tone: StatusTone; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [steppingUp, setSteppingUp] = useState(false);
  const focusOldCard = useRef(false);
  const tryOldButton = useRef<HTMLButtonElement>(null);

  const checkedOut = status !== 'signed-in';
  const shown = checkedOut ? oldCard : card;
  const cardLabel = checkedOut ? 'the old card' : 'your card';
  const doors = config.data?.doors ?? [];

  // Results describe one stay: a new session, or checking out here, starts with a clean slate. A
  // session ended elsewhere (revoked, another tab) keeps them: the refusal that revealed it stays
  // on screen. A routine refresh keeps the same session and the results.
  const stay = shown?.sessionId ?? shown?.token;
  useEffect(() => setAttempts({}), [stay]);

  // Back from a step-up a door asked for: open that door again, once (the manager hands it out once).
  useEffect(() => {
    if (status !== 'signed-in' || config.data === undefined) return;
    const id = manager.takeResumeDoor();
    const door = id === undefined ? undefined : config.data.doors.find((d) => d.id === id);
    if (door !== undefined) void tap(door);
  }, [status, config.data, manager]);

  useEffect(() => {
    if (checkedOut && focusOldCard.current) {
      focusOldCard.current = false;
      tryOldButton.current?.focus();
    }
  }, [checkedOut]);

  const tap = async (door: Door) => {
    setAttempts((prev) => ({
      ...prev,
      [door.id]: { ...prev[door.id], pending: true, result: prev[door.id]?.result, cardLabel },
    }));
    const visit = checkedOut
      ? await tryOldCard(manager, door, oldCard, oldDoorCards)
      : await openDoor(manager, door);
    setAttempts((prev) => ({
      ...prev,
      [door.id]: { pending: false, result: visit.result, cardLabel, card: visit.card, stepUp: visit.stepUp },
    }));
  };

  // The door wants a stronger sign-in: the front desk's pages ask only for what is missing, then
  // this page comes back, ends the session it replaces and opens the door again.
  const stepUp = async (door: Door, challenge: StepUpChallenge) => {
    setSteppingUp(true);
    setMessage(undefined);
    try {
      await leaveForSignIn(manager, {
        replace: false,
        acrValues: challenge.acrValues,
        maxAge: challenge.maxAge,
        resume: { door: door.id, supersedes: card?.sessionId },
      });
    } catch (err) {
      setSteppingUp(false);
      setMessage({ tone: 'error', text: `Could not start the sign-in: ${messageOf(err)}` });
    }
  };
  const tapAll = () => {
    for (const door of doors) void tap(door);
  };

  const checkout = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      focusOldCard.current = true;
      await manager.logout();
      setAttempts({});
      setMessage({ tone: 'success', text: 'Checked out. Your card is void: try it on the doors.' });
    } catch (err) {
      focusOldCard.current = false;
      setMessage({ tone: 'error', text: `Check-out failed: ${messageOf(err)}` });
    } finally {
      setBusy(false);
    }
  };

  if (!shown) return null;

  return (
    <Page
      title="Front desk"
      testId="page-front-desk"
      intro="Your key card is a signed token. Each door gets its own card, for that door only and bound to this browser's key, and reads it on its own with the front desk's public keys — no call back to the desk."
    >
      <div class="desk">
        <div class="desk-card">
          <KeyCard card={shown} checkedOut={checkedOut && !revoked} revoked={checkedOut && revoked} />
          <div class="actions">
            {checkedOut ? (
              <>
                <button
                  type="button"
                  class="button"
                  data-testid="try-old-card"
                  ref={tryOldButton}
                  onClick={tapAll}
                  disabled={doors.length === 0}
                >
                  Try the old card on every door
                </button>
                <a class="button button-secondary" href={href('/signin')} data-testid="signin-again">
                  Sign in again
                </a>
              </>
            ) : (
              <>
                <button
                  type="button"
                  class="button button-secondary"
                  data-testid="doors-try-all"
                  onClick={tapAll}
                  disabled={doors.length === 0}
                >
                  Try every door
                </button>
                <button
                  type="button"
                  class="button button-danger"
                  data-testid="checkout"
                  onClick={checkout}
                  disabled={busy}
                >
                  {busy ? 'Checking out…' : 'Check out'}
                </button>
              </>
            )}
          </div>
          <Status tone={message?.tone} testId="desk-status">
            {message?.text}
          </Status>
          <DeskCards
            apiCard={shown}
            doorCards={checkedOut ? oldDoorCards : doorCards}
            doors={doors}
            revoked={checkedOut && revoked}
          />
        </div>
        <section class="desk-doors" aria-labelledby="doors-title">
          <h2 id="doors-title">Doors</h2>
          {config.error ? (
            <Status tone="error" testId="doors-error">
              Could not load the doors: {config.error}
            </Status>
          ) : null}
          {config.loading && !config.data ? <p class="muted">Loading doors…</p> : null}
          {config.data ? (
            <DoorList
              doors={doors}
              attempts={attempts}
              onTap={(door) => void tap(door)}
              onStepUp={checkedOut ? undefined : (door, challenge) => void stepUp(door, challenge)}
              steppingUp={steppingUp}
            />
          ) : null}
        </section>
      </div>
    </Page>
  );
}
