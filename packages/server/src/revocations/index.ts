export { type FeedPage, readRevocations, waitForRevocation } from './feed.js';
export { createFeedNotifier, type FeedNotifier } from './feed-notifier.js';
export {
  publishRevocation,
  publishSessionRevocations,
  publishSubjectRevocation,
  revocationExpiry,
} from './publish.js';
export { createRevocationIndex, type RevocableClaims, type RevocationIndex } from './revocation-index.js';
