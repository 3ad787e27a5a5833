// The tests' mail catcher is the demo's sink: one implementation (demo/src/mailbox/sink.ts), so the
// mail the tests read is the mail the demo's mailbox shows. packages/server tests import this too.
export {
  MAX_MAIL_BYTES,
  MAX_MAILS,
  type MailSink,
  MailWaitTimeoutError,
  type ReceivedMail,
  startMailSink,
} from '../../demo/src/mailbox/sink.js';
