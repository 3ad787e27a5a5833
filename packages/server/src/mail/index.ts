export {
  createMailer,
  MAX_PENDING_MAIL,
  type Mailer,
  type MailerOptions,
  mailCloseWaitMs,
} from './mailer.js';
export { MAX_BODY_CHARS, type MailMessage, type MailProblem, mailProblem } from './message.js';
export { emailChanged, escapeHtml, passwordReset, signupExisting, verifyEmail } from './templates.js';
export { isLoopback, type SendFailure } from './transport.js';
