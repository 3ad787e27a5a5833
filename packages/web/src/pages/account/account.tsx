import { useState } from 'preact/hooks';
import { Page } from '../../components/page.js';
import { useSession } from '../../session/use-session.js';
import { ConsentsList } from './consents-list.js';
import { PasswordForm } from './password-form.js';
import { SessionsList } from './sessions-list.js';

/** Your account: who you are, your sessions and devices, the apps you allowed, your password. */
export function Account() {
  const { card } = useSession();
  const [version, setVersion] = useState(0);
  const name =
    card?.user?.username ?? (typeof card?.payload['username'] === 'string' ? card.payload['username'] : '');
  return (
    <Page title="Account" testId="page-account" intro={name ? `Signed in as ${name}.` : undefined}>
      <SessionsList version={version} />
      <ConsentsList onRevoked={() => setVersion((v) => v + 1)} />
      <PasswordForm onChanged={() => setVersion((v) => v + 1)} />
    </Page>
  );
}
