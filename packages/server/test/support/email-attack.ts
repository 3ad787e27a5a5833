// The email attack tests' hotel: the MFA authorize server (support/mfa-flow.ts) mailing a fresh SMTP
// sink, with room for many mails and accounts, and people with verified addresses in it.
import { type MailSink, startMailSink } from '../../../../test/support/mail-sink.js';
import { createUser, type KeycardConfigInput } from '../../src/index.js';
import type { Running } from '../helpers.js';
import { PASSWORD } from './authorize-flow.js';
import { MAIL_FROM } from './email-flow.js';
import { startMfaAuthorizeServer } from './mfa-flow.js';

type Clock = Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

/** The server and its sink; `throttle` adds to the raised registration limit. */
export async function startMailHotel(
  throttle: KeycardConfigInput['throttle'] = {},
): Promise<{ sink: MailSink; running: Running; clock: Clock }> {
  const sink = await startMailSink();
  const { running, clock } = await startMfaAuthorizeServer({
    mail: { smtp: { host: '127.0.0.1', port: sink.port }, from: MAIL_FROM },
    accounts: { signup: true, mailsPerAccount: { limit: 1000 }, requestsPerIp: { limit: 1000 } },
    throttle: { registerPerIp: { limit: 1000 }, ...throttle },
  });
  return { sink, running, clock };
}

/** A guest `name` with the verified address `name@hotel.example`, a minute after the last one. */
export async function verifiedPerson(running: Running, clock: Clock, name: string) {
  clock.advance(61_000);
  const address = `${name}@hotel.example`;
  const user = await createUser(running.server.services, {
    username: name,
    password: PASSWORD,
    roles: ['guest'],
    email: address,
    emailVerified: true,
  });
  return { user, address };
}
