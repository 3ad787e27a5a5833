import type {
  AuthorizeDetails,
  AuthorizeLoginAnswer,
  AuthorizeMfaChallenge,
  AuthorizeMfaOptions,
} from '@keycard/protocol';
import { ConsentStep, ContinueStep } from './authorize-consent.js';
import { EnrolStep } from './authorize-enrol.js';
import { SecondFactorStep } from './authorize-mfa.js';
import { SignInStep } from './authorize-signin.js';

/** What the page's panel shows: a step of the request, or the second factor after a password. */
export type PanelView =
  | { kind: 'step'; details: AuthorizeDetails; anotherAccount: boolean }
  /** The password was right; a second factor (or setting one up) comes next. */
  | { kind: 'mfa'; details: AuthorizeDetails; mfa: AuthorizeMfaChallenge };

/**
 * Step `mfa` of the details: signed in at the desk, but the request needs more than the browser
 * session's sign-in had (a step-up): the factors that can meet it.
 */
export function stepUpOf(details: AuthorizeDetails): AuthorizeMfaOptions | undefined {
  return details.step === 'mfa' ? (details.mfa ?? { methods: [], enrol: false, acr: '' }) : undefined;
}

interface StepPanelProps {
  interaction: string;
  view: PanelView;
  onAnswer: (answer: AuthorizeLoginAnswer) => void;
  /** The request itself failed (expired link): the page replaces the panel. */
  onFatal: (err: unknown) => void;
  /** A consent or continue call failed. */
  onDecisionError: (err: unknown) => void;
  /** Read the request again (a pending sign-in expired, the session changed). */
  onRestart: () => void;
  onAnotherAccount: (another: boolean) => void;
}

/** The panel of the authorization page: the one thing the person is asked now. */
export function StepPanel(props: StepPanelProps) {
  const { interaction, view, onAnswer, onRestart } = props;
  if (view.kind === 'mfa') {
    return view.mfa.enrol ? (
      <EnrolStep interaction={interaction} token={view.mfa.token} onAnswer={onAnswer} onRestart={onRestart} />
    ) : (
      <SecondFactorStep
        interaction={interaction}
        token={view.mfa.token}
        csrf={undefined}
        methods={view.mfa.methods}
        onAnswer={onAnswer}
        onRestart={onRestart}
      />
    );
  }
  const { details, anotherAccount } = view;
  const stepUp = anotherAccount ? undefined : stepUpOf(details);
  const signIn = (purpose: 'sign-in' | 'enrol') => (
    <SignInStep
      interaction={interaction}
      details={details}
      anotherAccount={anotherAccount}
      purpose={purpose}
      onAnswer={onAnswer}
      onFatal={props.onFatal}
      onCancel={anotherAccount ? () => props.onAnotherAccount(false) : undefined}
    />
  );
  // No factor yet: setting one up starts from the password, typed again (a live session alone never
  // adds a factor to an account).
  if (stepUp?.enrol) return signIn('enrol');
  if (stepUp) {
    return (
      <>
        <SecondFactorStep
          interaction={interaction}
          token={undefined}
          csrf={details.csrf}
          methods={stepUp.methods}
          onAnswer={onAnswer}
          onRestart={onRestart}
        />
        <p class="small">
          <button
            type="button"
            class="link-button"
            onClick={() => props.onAnotherAccount(true)}
            data-testid="authorize-another-account"
          >
            Use another account
          </button>
        </p>
      </>
    );
  }
  if (anotherAccount || details.step === 'login') return signIn('sign-in');
  const decision = {
    interaction,
    details,
    onAnswer,
    onError: props.onDecisionError,
    onAnotherAccount: () => props.onAnotherAccount(true),
  };
  return details.step === 'consent' ? <ConsentStep {...decision} /> : <ContinueStep {...decision} />;
}
