import { ServerError } from '../errors.js';

/** Counts open feed readers (SSE streams, waiting long-polls) per source address and in total. */
export interface FeedAdmission {
  /** Takes a slot for `address` or throws ERR_RATE_LIMITED (429) / ERR_FEED_FULL (503). */
  admit(address: string): () => void;
  readonly open: number;
}

/**
 * A guard needs one stream; a host with many guards behind one address a few more. Beyond the
 * caps a reader is told to come back later instead of costing every other reader its share.
 *
 * @example
 * ```ts
 * const release = admission.admit(request.ip);
 * raw.on('close', release);
 * ```
 */
export function createFeedAdmission(limits: {
  maxReaders: number;
  maxReadersPerAddress: number;
}): FeedAdmission {
  const perAddress = new Map<string, number>();
  let open = 0;
  return {
    get open() {
      return open;
    },
    admit(address) {
      const mine = perAddress.get(address) ?? 0;
      if (mine >= limits.maxReadersPerAddress) throw new ServerError('ERR_RATE_LIMITED', { retryAfter: 30 });
      if (open >= limits.maxReaders) throw new ServerError('ERR_FEED_FULL', { retryAfter: 30 });
      perAddress.set(address, mine + 1);
      open++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open--;
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left <= 0) perAddress.delete(address);
        else perAddress.set(address, left);
      };
    },
  };
}
