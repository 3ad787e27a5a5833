import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/index.js';

/** The `mail` and `accounts` blocks (issue 13) and `ui.mailbox`. */
describe('mail and accounts configuration', () => {
  it('sends no mail by default; sign-up is off; reset and verification links have short lives', () => {
    const config = parseConfig({});
    expect(config.mail).toEqual({ smtp: null, timeoutMs: 10_000 });
    expect(config.accounts).toEqual({
      signup: false,
      resetTtl: 1800,
      verifyTtl: 86_400,
      requestsPerIp: { limit: 20, windowSeconds: 900 },
      mailsPerAccount: { limit: 3, windowSeconds: 900 },
    });
    expect(config.ui.mailbox).toBeUndefined();
  });

  it('fills the relay defaults: submission port 587, STARTTLS', () => {
    const config = parseConfig({ mail: { smtp: { host: 'smtp.example.com' }, from: 'keycard@example.com' } });
    expect(config.mail).toEqual({
      smtp: { host: 'smtp.example.com', port: 587, secure: false },
      from: 'keycard@example.com',
      timeoutMs: 10_000,
    });
    expect(Object.isFrozen(config.mail.smtp)).toBe(true);
  });

  it.each([
    [{ mail: { smtp: { host: 'smtp.example.com' } } }, 'mail.from'],
    [{ mail: { smtp: { host: 'smtp.example.com' }, from: 'not an address' } }, 'mail.from'],
    [{ mail: { from: 'keycard@example.com, x@example.com' } }, 'mail.from'],
    [{ mail: { smtp: {}, from: 'k@example.com' } }, 'mail.smtp.host'],
    [{ mail: { smtp: { host: 'h', port: 0 }, from: 'k@example.com' } }, 'mail.smtp.port'],
    [{ mail: { smtp: { host: 'h', password: 'p' }, from: 'k@example.com' } }, 'mail.smtp.user'],
    [{ mail: { smtp: { host: 'h', user: 'u' }, from: 'k@example.com' } }, 'mail.smtp.password'],
    [{ mail: { smtp: { host: 'h', tls: true }, from: 'k@example.com' } }, 'mail.smtp'],
    [{ mail: { timeoutMs: 10 } }, 'mail.timeoutMs'],
    [{ accounts: { resetTtl: 60 } }, 'accounts.resetTtl'],
    [{ accounts: { resetTtl: 172_800 } }, 'accounts.resetTtl'],
    [{ accounts: { verifyTtl: 60 } }, 'accounts.verifyTtl'],
    [{ accounts: { verifyTtl: 2_592_000 } }, 'accounts.verifyTtl'],
    [{ accounts: { signup: 'yes' } }, 'accounts.signup'],
    [{ ui: { mailbox: 'javascript:alert(1)' } }, 'ui.mailbox'],
  ])('names the bad field: %j', (input, field) => {
    try {
      parseConfig(input);
      throw new Error('accepted');
    } catch (error) {
      expect((error as { code: string }).code).toBe('ERR_CONFIG_INVALID');
      expect((error as Error).message).toContain(`${field}:`);
    }
  });

  it('reads the relay, its password and sign-up from KEYCARD_* variables; the message never shows the password', () => {
    const env = {
      KEYCARD_MAIL_HOST: 'smtp.example.com',
      KEYCARD_MAIL_PORT: '465',
      KEYCARD_MAIL_SECURE: 'true',
      KEYCARD_MAIL_USER: 'keycard',
      KEYCARD_MAIL_PASSWORD: 'relay-Password-from-env',
      KEYCARD_MAIL_FROM: 'keycard@example.com',
      KEYCARD_MAIL_TIMEOUT_MS: '5000',
      KEYCARD_SIGNUP: 'true',
    };
    const config = loadConfig({ env });
    expect(config.mail).toEqual({
      smtp: {
        host: 'smtp.example.com',
        port: 465,
        secure: true,
        user: 'keycard',
        password: 'relay-Password-from-env',
      },
      from: 'keycard@example.com',
      timeoutMs: 5000,
    });
    expect(config.accounts.signup).toBe(true);
    // A password from the environment joins the relay of the file (it is not a second relay).
    const merged = loadConfig({
      env: { KEYCARD_MAIL_USER: 'keycard', KEYCARD_MAIL_PASSWORD: 'relay-Password-from-env' },
      overrides: { mail: { smtp: { host: 'smtp.example.com' }, from: 'keycard@example.com' } },
    });
    expect(merged.mail.smtp).toMatchObject({ host: 'smtp.example.com', password: 'relay-Password-from-env' });
    // A password without a relay is a mistake the start-up names, without echoing the password.
    try {
      loadConfig({ env: { KEYCARD_MAIL_PASSWORD: 'relay-Password-from-env' } });
      throw new Error('accepted');
    } catch (error) {
      expect((error as { code: string }).code).toBe('ERR_CONFIG_INVALID');
      expect((error as Error).message).toContain('mail.smtp.host:');
      expect((error as Error).message).not.toContain('relay-Password-from-env');
    }
  });
});
