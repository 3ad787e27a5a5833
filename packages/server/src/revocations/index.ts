export { FEED_PAGE, type FeedPage, readFeedPage, readRevocations, waitForRevocation } from './feed.js';
export { createFeedAdmission, type FeedAdmission } from './feed-admission.js';
export { createFeedBroadcaster, type FeedBroadcaster, type FeedWriter } from './feed-broadcaster.js';
export { createFeedNotifier, type FeedNotifier } from './feed-notifier.js';
export {
  publishKeyRevocation,
  publishRevocation,
  publishRoleRevocation,
  publishSessionRevocations,
  publishSubjectRevocation,
  revocationExpiry,
} from './publish.js';
export {
  createRevocationIndex,
  type RevocableClaims,
  type RevocationIndex,
  type RevocationReason,
} from './revocation-index.js';
export { sseReset, sseRevocation, sseSynced, toWire } from './wire.js';
