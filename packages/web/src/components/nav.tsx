import { useUiConfig } from '../api/ui-config.js';
import { scopesOf } from '../lib/jwt.js';
import { href } from '../router.js';
import type { SessionState } from '../session/session-manager.js';

interface NavProps {
  path: string;
  session: SessionState;
  onSignOut: () => void;
}

interface NavItem {
  id: string;
  path: string;
  label: string;
}

/** Whether the card carries the `admin` scope (the manager role by default). */
export function isAdmin(session: SessionState): boolean {
  return session.card !== undefined && scopesOf(session.card.payload).includes('admin');
}

/** Moves focus to the content without touching the hash (the hash holds the route). */
function skipToContent() {
  document.getElementById('main')?.focus();
}

/** The top bar: brand, main navigation, who is signed in. */
export function Nav({ path, session, onSignOut }: NavProps) {
  const signedIn = session.status === 'signed-in';
  const config = useUiConfig();
  const items: NavItem[] = [];
  if (signedIn || session.oldCard) items.push({ id: 'desk', path: '/', label: 'Front desk' });
  if (signedIn) items.push({ id: 'account', path: '/account', label: 'Account' });
  items.push({ id: 'inspector', path: '/inspector', label: 'Token inspector' });
  if (isAdmin(session)) items.push({ id: 'admin', path: '/admin/users', label: 'Admin' });
  if (config?.mailbox) items.push({ id: 'mailbox', path: '/mailbox', label: 'Mailbox' });
  if (!signedIn && session.status !== 'loading')
    items.push({ id: 'signin', path: '/signin', label: 'Sign in' });

  const current = (item: NavItem) =>
    item.path === '/' ? path === '/' : path === item.path || path.startsWith(`/${item.path.split('/')[1]}`);
  const username = session.card?.user?.username ?? session.card?.payload['username'];

  return (
    <header class="topbar">
      <button type="button" class="skip-link" onClick={skipToContent}>
        Skip to content
      </button>
      <a class="brand" href={href(signedIn ? '/' : '/signin')}>
        <span class="brand-mark" aria-hidden="true" />
        Hotel Keycard
      </a>
      <nav aria-label="Main">
        <ul class="nav-list">
          {items.map((item) => (
            <li key={item.id}>
              <a
                href={href(item.path)}
                aria-current={current(item) ? 'page' : undefined}
                data-testid={`nav-${item.id}`}
              >
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {signedIn ? (
        <div class="whoami">
          <span data-testid="nav-user">{typeof username === 'string' ? username : ''}</span>
          <button
            type="button"
            class="button button-small button-secondary"
            onClick={onSignOut}
            data-testid="nav-signout"
          >
            Sign out
          </button>
        </div>
      ) : null}
    </header>
  );
}
