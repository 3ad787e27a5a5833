export { type AnswerConsentDeps, answerConsent } from './consent.js';
export { type DecideDeps, type Decision, decide, loginNeeded, type SignedIn } from './decide.js';
export {
  type AuthorizationFormDeps,
  answerAuthorizationForm,
  MAX_FORWARDED_QUERY,
} from './form-post.js';
export {
  type AuthorizationGrant,
  consentCovers,
  type GrantDeps,
  grantFor,
  requestedAudiences,
  requestedScopes,
} from './grant.js';
export {
  INTERACTION_CONTEXT,
  type Interaction,
  type InteractionDeps,
  MAX_INTERACTION_LENGTH,
  type OpenedInteraction,
  openInteraction,
  type PendingRequest,
  sealInteraction,
} from './interaction.js';
export { type IssueCodeDeps, issueAuthorizationCode } from './issue-code.js';
export {
  authorizeDetails,
  type LoadedInteraction,
  loadInteraction,
  type PagesDeps,
  proceed,
  type StepResult,
  unmetRedirect,
} from './pages.js';
export { isS256Challenge, s256Challenge, verifyS256 } from './pkce.js';
export { type RefusalDeps, refusalRedirect } from './refuse.js';
export {
  type AuthorizationRequest,
  type AuthorizeClient,
  type AuthorizeParse,
  parseAuthorizationRequest,
} from './request.js';
export { type AuthorizationAnswer, authorizationResponseUrl } from './response.js';
export {
  completeSecondFactor,
  type DeskOutcome,
  type DeskSecondFactorDeps,
  loginAtDesk,
  passkeyAtDesk,
} from './second-factor.js';
export {
  type CheckPasswordDeps,
  checkPasswordAtDesk,
  type SignInBrowserDeps,
  signInBrowser,
} from './sign-in.js';
export {
  AUTHORIZE_PAGE,
  type AuthorizeOutcome,
  type StartAuthorizationDeps,
  startAuthorization,
} from './start.js';
