import { AUTHORIZE_ROUTE, EMAIL_LINK_ROUTES, LOGOUT_ROUTE } from '@keycard/protocol';
import { useEffect } from 'preact/hooks';
import { isAdmin, Nav } from './components/nav.js';
import { Page } from './components/page.js';
import { Status } from './components/status.js';
import { useReturnAfterSignIn } from './components/step-up.js';
import { messageOf } from './lib/errors.js';
import { Account } from './pages/account/account.js';
import { Admin } from './pages/admin/admin.js';
import { Authorize } from './pages/authorize/authorize.js';
import { Forgot } from './pages/email/forgot.js';
import { ResetPassword } from './pages/email/reset.js';
import { SignUp } from './pages/email/signup.js';
import { VerifyEmail } from './pages/email/verify-email.js';
import { FrontDesk } from './pages/front-desk.js';
import { Inspector } from './pages/inspector.js';
import { Mailbox } from './pages/mailbox/mailbox.js';
import { Logout } from './pages/sign-out/logout.js';
import { SignedOut } from './pages/sign-out/signed-out.js';
import { SignIn } from './pages/signin.js';
import { href, navigate, replaceRoute, splitRoute, useRoute } from './router.js';
import type { SessionState } from './session/session-manager.js';
import { useSession, useSessionManager } from './session/use-session.js';

/** Moves to `to` in place of this route, so Back never lands on a page that only redirects. */
function Redirect({ to }: { to: string }) {
  useEffect(() => replaceRoute(to), [to]);
  return null;
}

function NotAllowed() {
  return (
    <Page
      title="Not allowed"
      testId="page-forbidden"
      intro="The admin console needs a card with the admin scope (the manager role)."
    >
      <a href={href('/')}>Back to the front desk</a>
    </Page>
  );
}

function NotFound() {
  return (
    <Page title="Page not found" testId="page-not-found">
      <a href={href('/')}>Back to the front desk</a>
    </Page>
  );
}

function route(path: string, session: SessionState) {
  const signedIn = session.status === 'signed-in';
  if (path === '/inspector') return <Inspector />;
  // An app's sign-in request: the front desk's browser session, whatever the app's own session says.
  const { base, params } = splitRoute(path);
  if (base === AUTHORIZE_ROUTE.path) return <Authorize path={path} />;
  // Sign-out pages an app sends the browser to: they use this browser's front-desk cookie, not a card.
  if (base === LOGOUT_ROUTE.path) return <Logout logout={params.get(LOGOUT_ROUTE.request) ?? ''} />;
  if (base === LOGOUT_ROUTE.signedOut) return <SignedOut />;
  // Email pages and the demo mailbox: reached from a mail or a sign-in form, signed in or not.
  if (base === '/forgot') return <Forgot />;
  if (base === EMAIL_LINK_ROUTES.reset)
    return <ResetPassword token={params.get(EMAIL_LINK_ROUTES.token) ?? ''} />;
  if (base === '/signup') return <SignUp />;
  if (base === EMAIL_LINK_ROUTES.verifyEmail)
    return <VerifyEmail token={params.get(EMAIL_LINK_ROUTES.token) ?? ''} />;
  if (base === '/mailbox') return <Mailbox />;
  if (session.status === 'loading') {
    return (
      <p class="loading" data-testid="app-loading">
        Restoring your session…
      </p>
    );
  }
  if (path === '/signin') return signedIn ? <Redirect to="/" /> : <SignIn />;
  if (path === '/') return signedIn || session.oldCard ? <FrontDesk /> : <Redirect to="/signin" />;
  if (!signedIn) return <Redirect to="/signin" />;
  if (path === '/account') return <Account />;
  if (path === '/admin' || path.startsWith('/admin/')) {
    return isAdmin(session) ? <Admin section={path.slice('/admin/'.length)} /> : <NotAllowed />;
  }
  return <NotFound />;
}

/** The app shell: top bar, the page for the route, and the session notice region. */
export function App() {
  const manager = useSessionManager();
  const session = useSession();
  const path = useRoute();
  // Back from "Confirm it's you": the page the person left, not the front desk.
  useReturnAfterSignIn(session);

  const signOut = () => {
    manager.logout().catch((err: unknown) => manager.notify(`Sign-out failed: ${messageOf(err)}`));
    navigate('/');
  };

  return (
    <>
      <Nav path={path} session={session} onSignOut={signOut} />
      <main id="main" tabIndex={-1}>
        <Status testId="app-notice">{session.notice}</Status>
        {route(path, session)}
      </main>
      <footer class="footer">
        <p>
          keycard demo — cards in memory only, their key inside WebCrypto, refresh token in an HttpOnly
          cookie. <a href={href('/inspector')}>Inspect a token</a>
        </p>
      </footer>
    </>
  );
}
