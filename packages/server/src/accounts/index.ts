export { afterAnswer } from './after-answer.js';
export { type RequestEmailChangeDeps, requestEmailChange } from './change-email.js';
export { checkEmail, emailKey, MAX_EMAIL_LENGTH } from './email-key.js';
export { consumeEmailToken, type EmailTokenDeps, emailLink, issueEmailToken } from './email-token.js';
export {
  assertMailConfigured,
  assertSignupOpen,
  type EmailLimitDeps,
  hitEmailIp,
  takeMailBudget,
} from './limits.js';
export { type RequestPasswordResetDeps, requestPasswordReset } from './request-password-reset.js';
export { type ResetPasswordDeps, resetPassword } from './reset-password.js';
export { type SignUpDeps, type SignUpInput, signUp } from './sign-up.js';
export { mailVerificationLink, type VerificationMailDeps } from './verification-mail.js';
export { type VerifyEmailDeps, verifyEmailToken } from './verify-email.js';
