import type { StepUpChallenge } from '@keycard/protocol';
import type { DoorResult } from '../api/doors.js';
import { delegationChain } from '../lib/delegation.js';
import type { Card } from '../session/card.js';
import { fingerprint } from './desk-cards.js';
import { StepUpPrompt } from './step-up-prompt.js';

interface DoorResultViewProps {
  doorId: string;
  result: DoorResult | undefined;
  pending: boolean;
  /** Which card was used, shown with the result ("your card", "the old card"). */
  cardLabel: string | undefined;
  /** The card that went to the door (its audience and key are shown). */
  card?: Card | undefined;
  /** The door asked for a stronger sign-in; `onStepUp` starts it. */
  stepUp?: StepUpChallenge | undefined;
  onStepUp?: (() => void) | undefined;
  stepUpBusy?: boolean;
}

/** What a door said: opened (with its JSON), denied (status, code, reason) or unreachable. */
export function DoorResultView(props: DoorResultViewProps) {
  const { doorId, result, pending, cardLabel, card, stepUp, onStepUp } = props;
  const outcome = pending ? 'pending' : (result?.outcome ?? 'none');
  const chain = result?.outcome === 'opened' ? delegationChain(result.body) : undefined;
  return (
    <div
      class={`door-result door-result-${outcome}`}
      data-testid={`door-${doorId}-result`}
      data-result={outcome}
      data-status={result?.status}
      data-code={result?.code}
      data-card-aud={card?.audience}
      data-card-jkt={card?.jkt}
      data-card-acr={typeof card?.payload['acr'] === 'string' ? card.payload['acr'] : undefined}
      role="status"
      aria-live="polite"
    >
      {pending ? <span>Reading the card…</span> : null}
      {!pending && result?.outcome === 'opened' ? (
        <>
          <strong class="door-verdict">Opened</strong>
          {cardLabel ? <span class="door-with"> with {cardLabel}</span> : null}
          {card ? (
            <span class="door-card" data-testid={`door-${doorId}-card`}>
              the card for <code>{card.audience}</code>, bound to key <code>{fingerprint(card.jkt)}</code>
            </span>
          ) : null}
          {chain ? (
            <p class="door-chain" data-testid={`door-${doorId}-chain`} data-chain={chain.join(' > ')}>
              On your behalf: {chain.join(' → ')}
            </p>
          ) : null}
          {result.body !== undefined ? (
            <pre class="door-json" data-testid={`door-${doorId}-body`}>
              {JSON.stringify(result.body, null, 2)}
            </pre>
          ) : null}
        </>
      ) : null}
      {!pending && result?.outcome === 'denied' ? (
        <>
          <strong class="door-verdict">Denied</strong>
          {cardLabel ? <span class="door-with"> with {cardLabel}</span> : null}
          <span class="door-reason" data-testid={`door-${doorId}-reason`}>
            {result.status}
            {result.code ? ` ${result.code}` : ''} — {result.message}
          </span>
          {stepUp && onStepUp ? (
            <StepUpPrompt
              doorId={doorId}
              challenge={stepUp}
              onStart={onStepUp}
              busy={props.stepUpBusy ?? false}
            />
          ) : null}
        </>
      ) : null}
      {!pending && result?.outcome === 'unreachable' ? (
        <>
          <strong class="door-verdict">Unreachable</strong>
          <span class="door-reason">{result.message}</span>
        </>
      ) : null}
    </div>
  );
}
