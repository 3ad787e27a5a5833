import { useState } from 'preact/hooks';
import { Page } from '../../components/page.js';
import { StepUpHost } from '../../components/step-up.js';
import { useSession } from '../../session/use-session.js';
import { ConsentsList } from './consents-list.js';
import { EmailPanel } from './email-panel.js';
import { PasswordForm } from './password-form.js';
import { SecuritySection } from './security.js';
import { SessionsList } from './sessions-list.js';

/**
 * Your account: who you are, your sign-in security (passkeys, authenticator app, recovery codes),
 * your email, your sessions and devices, the apps you allowed, your password. Changes that need a
 * recent sign-in ask to confirm it's you and come back here.
 */
export function Account() {
  const { card } = useSession();
  const [version, setVersion] = useState(0);
  const name =
    card?.user?.username ?? (typeof card?.payload['username'] === 'string' ? card.payload['username'] : '');
  return (
    <Page title="Account" testId="page-account" intro={name ? `Signed in as ${name}.` : undefined}>
      <StepUpHost route="/account">
        <SecuritySection />
        <EmailPanel />
        <SessionsList version={version} />
        <ConsentsList onRevoked={() => setVersion((v) => v + 1)} />
        <PasswordForm onChanged={() => setVersion((v) => v + 1)} />
      </StepUpHost>
    </Page>
  );
}
