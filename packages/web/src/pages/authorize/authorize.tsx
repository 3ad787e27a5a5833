import { AUTHORIZE_ROUTE, type AuthorizeLoginAnswer } from '@keycard/protocol';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { authorizeDetails } from '../../api/authorize.js';
import { Page } from '../../components/page.js';
import { Status } from '../../components/status.js';
import { AppError, messageOf } from '../../lib/errors.js';
import { type PanelView, StepPanel, stepUpOf } from './authorize-step.js';
import { RequestSummary } from './authorize-summary.js';

type View =
  | { kind: 'loading' }
  | { kind: 'expired' }
  | { kind: 'failed'; message: string; code: string }
  | PanelView
  | { kind: 'leaving'; clientName: string };

/** The interaction of a route such as `/authorize?i=…` (undefined when the link lost it). */
export function interactionFrom(path: string): string | undefined {
  const at = path.indexOf('?');
  return (
    (at === -1 ? undefined : new URLSearchParams(path.slice(at + 1)).get(AUTHORIZE_ROUTE.interaction)) ||
    undefined
  );
}

function titleOf(view: View): string {
  if (view.kind === 'expired') return 'This sign-in link has expired';
  if (view.kind === 'leaving') return `Taking you back to ${view.clientName}…`;
  if (view.kind === 'mfa') return view.mfa.enrol ? 'Set up a second factor' : "Confirm it's you";
  if (view.kind !== 'step') return 'Sign in';
  const stepUp = view.anotherAccount ? undefined : stepUpOf(view.details);
  if (stepUp) return stepUp.enrol ? 'Set up a second factor' : "Confirm it's you";
  const { details } = view;
  if (view.anotherAccount || details.step === 'login') return `Sign in to continue to ${details.client.name}`;
  if (details.step === 'consent') return `Allow ${details.client.name}?`;
  return `Continue to ${details.client.name}`;
}

/**
 * `#/authorize?i=…`: where `/oauth/authorize` sends the browser when the person must sign in or
 * consent. It reads the request's details, then shows the sign-in form, the consent question or
 * "Continue as …"; whatever the server answers with a redirect, the browser goes there (the app's
 * registered redirect URI, with a code or an error).
 */
export function Authorize({ path }: { path: string }) {
  const interaction = interactionFrom(path);
  const [view, setView] = useState<View>({ kind: 'loading' });

  const fail = useCallback((err: unknown) => {
    if (err instanceof AppError && err.code === 'ERR_INTERACTION_EXPIRED') setView({ kind: 'expired' });
    else
      setView({
        kind: 'failed',
        message: messageOf(err),
        code: err instanceof AppError ? err.code : 'ERR_UNKNOWN',
      });
  }, []);

  const load = useCallback(async () => {
    if (interaction === undefined) return setView({ kind: 'expired' });
    try {
      setView({ kind: 'step', details: await authorizeDetails(interaction), anotherAccount: false });
    } catch (err) {
      fail(err);
    }
  }, [interaction, fail]);

  useEffect(() => {
    void load();
  }, [load]);

  const onAnswer = (answer: AuthorizeLoginAnswer) => {
    if ('mfa' in answer) {
      if (view.kind === 'step' || view.kind === 'mfa')
        setView({ kind: 'mfa', details: view.details, mfa: answer.mfa });
      return;
    }
    if ('details' in answer) return setView({ kind: 'step', details: answer.details, anotherAccount: false });
    const leaving = view.kind === 'step' || view.kind === 'mfa' ? view.details.client.name : 'the app';
    setView({ kind: 'leaving', clientName: leaving });
    window.location.assign(answer.redirect);
  };
  // A pending sign-in that expired, or a browser session that changed: read the request again.
  const restart = () => void load();

  // The browser session ended or changed in another tab: read the request again.
  const onDecisionError = (err: unknown) => {
    if (err instanceof AppError && (err.code === 'ERR_LOGIN_REQUIRED' || err.code === 'ERR_CSRF'))
      void load();
    else fail(err);
  };

  return (
    <Page title={titleOf(view)} testId="page-authorize">
      {view.kind === 'loading' ? (
        <p class="loading" data-testid="authorize-loading">
          Reading the app's request…
        </p>
      ) : null}
      {view.kind === 'expired' ? (
        <p class="lead" data-testid="authorize-expired">
          Sign-in links work for a few minutes only. Go back to the app and start again.
        </p>
      ) : null}
      {view.kind === 'failed' ? (
        <Status tone="error" testId="authorize-failed" code={view.code}>
          {view.message}
        </Status>
      ) : null}
      {view.kind === 'leaving' ? (
        <p class="loading" data-testid="authorize-leaving">
          You are being sent back to the app.
        </p>
      ) : null}
      {(view.kind === 'step' || view.kind === 'mfa') && interaction !== undefined ? (
        <div class="signin">
          <div class="panel signin-panel">
            <StepPanel
              interaction={interaction}
              view={view}
              onAnswer={onAnswer}
              onFatal={fail}
              onDecisionError={onDecisionError}
              onRestart={restart}
              onAnotherAccount={(another) =>
                setView({ kind: 'step', details: view.details, anotherAccount: another })
              }
            />
          </div>
          <aside class="signin-aside authorize-aside" aria-label="The app's request">
            <RequestSummary details={view.details} />
          </aside>
        </div>
      ) : null}
    </Page>
  );
}
