import { z } from 'zod';

/**
 * The `mail` and `accounts` blocks of the configuration (kept apart from schema.ts, which only
 * places them). Mail is off by default: without `mail.smtp` the email flows answer 404
 * `ERR_MAIL_NOT_CONFIGURED`, so no reset link is ever promised that cannot be sent.
 */

/** The SMTP relay the server hands its mail to. */
const smtp = z
  .object({
    host: z.string().min(1).max(253),
    /** 587 (submission, STARTTLS) by default; 465 with `secure: true` (implicit TLS). */
    port: z.number().int().min(1).max(65_535).default(587),
    /** TLS from the first byte (port 465); false: STARTTLS, required unless the relay is on loopback. */
    secure: z.boolean().default(false),
    user: z.string().min(1).max(512).optional(),
    /** Prefer `KEYCARD_MAIL_PASSWORD` to a config file. */
    password: z.string().min(1).max(1024).optional(),
  })
  .strict()
  .superRefine((value, issue) => {
    // Half a login is a typo, not a choice: say so at start-up rather than at the first mail.
    if (value.password !== undefined && value.user === undefined)
      issue.addIssue({ code: 'custom', path: ['user'], message: 'required when password is set' });
    if (value.user !== undefined && value.password === undefined)
      issue.addIssue({ code: 'custom', path: ['password'], message: 'required when user is set' });
  });

/** `mail`: how the server sends reset, verification and sign-up mail. */
export const mailSchema = z
  .object({
    /** The relay; `null` (default): the server sends no mail and the email flows are off. */
    smtp: smtp.nullable().default(null),
    /** The sender address of every mail; required when `smtp` is set. */
    from: z.email({ error: 'must be an email address' }).max(254).optional(),
    /** Bound on connecting, the greeting and each read of one SMTP attempt, ms; the attempt as a whole gets twice it. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  })
  .strict()
  .superRefine((value, issue) => {
    if (value.smtp !== null && value.from === undefined)
      issue.addIssue({ code: 'custom', path: ['from'], message: 'required when mail.smtp is set' });
  })
  .prefault({});

/** A `{ limit, windowSeconds }` sliding-window budget, as the `throttle` block's. */
const windowLimit = (limit: number, windowSeconds: number) =>
  z
    .object({
      limit: z.number().int().min(1).max(1_000_000).default(limit),
      windowSeconds: z.number().int().min(1).max(86_400).default(windowSeconds),
    })
    .strict()
    .prefault({});

/**
 * `accounts`: self-service sign-up, the lifetimes of the links mailed to users (seconds), and the
 * budgets that keep the email endpoints from spamming a mailbox (they follow `throttle.enabled`).
 */
export const accountsSchema = z
  .object({
    /** `POST /api/signup` (needs mail: the account is confirmed through its address). */
    signup: z.boolean().default(false),
    /** Lifetime of a password-reset link: short, since it opens the account. */
    resetTtl: z.number().int().min(300).max(86_400).default(1800),
    /** Lifetime of an email-verification link. */
    verifyTtl: z.number().int().min(600).max(604_800).default(86_400),
    /** Calls to the mail and link endpoints (forgot, reset, verify, change address) per source. */
    requestsPerIp: windowLimit(20, 900),
    /** Mails to one account (reset links, verification links, "account exists" notices). */
    mailsPerAccount: windowLimit(3, 900),
  })
  .strict()
  .prefault({});
