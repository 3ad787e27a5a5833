// Shared by the attack-mfa* suites: the sign-in pages driven as an attacker would, over real HTTP —
// the password step of a fresh request, an enrolment during the sign-in through the real /api/mfa/*
// endpoints (so the proven mfa_token is the server's own), and the cards the flows end in.
import type { Running } from '../helpers.js';
import { type Body, postJson } from '../helpers.js';
import { Browser, PASSWORD } from './authorize-flow.js';
import { stepOf, totpAt } from './mfa-account.js';
import { mfaRequest, openRequest } from './mfa-flow.js';

/** A fresh request for `clientId` opened in a new browser, then the password step of `username`. */
export async function passwordStep(
  r: Running,
  username: string,
  opts: { clientId?: string; extra?: Record<string, string>; browser?: Browser; password?: string } = {},
): Promise<{
  browser: Browser;
  interaction: string;
  verifier: string;
  login: { status: number; body: Body };
}> {
  const browser = opts.browser ?? new Browser();
  const { params, verifier } = mfaRequest(opts.clientId ?? 'desk', opts.extra ?? {});
  const interaction = await openRequest(r, browser, params);
  const login = await browser.call(r.url, 'login', {
    interaction,
    username,
    password: opts.password ?? PASSWORD,
  });
  return { browser, interaction, verifier, login };
}

/**
 * Sets up TOTP during a sign-in with its enrolment `mfaToken` through the real endpoints; returns
 * the secret, the recovery codes and the proven token `/api/mfa/totp/confirm` answered.
 */
export async function enrolTotpDuringSignIn(
  r: Running,
  clock: () => number,
  mfaToken: string,
  interaction: string | undefined,
): Promise<{ secret: string; recoveryCodes: string[]; proven: string }> {
  const auth = { mfa_token: mfaToken, ...(interaction === undefined ? {} : { interaction }) };
  const started = await postJson(`${r.url}/api/mfa/totp/start`, auth);
  if (started.status !== 200)
    throw new Error(`totp/start: ${started.status} ${JSON.stringify(started.body)}`);
  const secret = started.body.secret as string;
  const confirmed = await postJson(`${r.url}/api/mfa/totp/confirm`, {
    ...auth,
    code: totpAt(secret, stepOf(clock())),
  });
  if (confirmed.status !== 200)
    throw new Error(`totp/confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return { secret, recoveryCodes: confirmed.body.recovery_codes, proven: confirmed.body.mfa_token };
}

/** How many live browser sessions `userId` has. */
export async function browserSessionsOf(r: Running, userId: string): Promise<number> {
  return (await r.server.services.storage.browserSessions.listByUser(userId)).length;
}
