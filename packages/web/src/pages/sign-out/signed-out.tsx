import { Page } from '../../components/page.js';
import { href } from '../../router.js';

/** `#/signed-out`: where a sign-out that does not go back to an app ends. */
export function SignedOut() {
  return (
    <Page
      title="You are signed out"
      testId="page-signed-out"
      intro="You signed out of the front desk and of the apps you signed in to through it in this browser."
    >
      <a href={href('/')}>Back to the front desk</a>
    </Page>
  );
}
