import { useUiConfig } from '../../api/ui-config.js';
import { href } from '../../router.js';

/**
 * "Forgot password?" and "Create an account" under a sign-in form: the first when the front desk
 * can mail (it says so in `/api/ui-config`), the second only when sign-up is on.
 */
export function AccountLinks() {
  const config = useUiConfig();
  const reset = config?.accounts?.passwordReset === true;
  const signup = config?.accounts?.signup === true;
  if (!reset && !signup) return null;
  return (
    <p class="account-links" data-testid="account-links">
      {reset ? (
        <a href={href('/forgot')} data-testid="link-forgot">
          Forgot password?
        </a>
      ) : null}
      {reset && signup ? ' · ' : null}
      {signup ? (
        <a href={href('/signup')} data-testid="link-signup">
          Create an account
        </a>
      ) : null}
    </p>
  );
}
