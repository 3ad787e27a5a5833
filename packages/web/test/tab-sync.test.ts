import { afterEach, describe, expect, it } from 'vitest';
import type { TabMessage, TabSync } from '../src/session/tab-sync.js';
import { createTabSync } from '../src/session/tab-sync.js';

// Node has a real BroadcastChannel (same-process instances talk to each other) and, on Node 20,
// no navigator.locks: this exercises the channel and the single-tab lock fallback.
const open: TabSync[] = [];
function tab(): TabSync {
  const sync = createTabSync();
  open.push(sync);
  return sync;
}

afterEach(() => {
  for (const sync of open.splice(0)) sync.close();
});

function nextMessage(sync: TabSync): Promise<TabMessage> {
  return new Promise((resolve) => {
    const off = sync.subscribe((message) => {
      off();
      resolve(message);
    });
  });
}

describe('createTabSync', () => {
  it('delivers a message from one tab to the others, not to itself', async () => {
    const a = tab();
    const b = tab();
    const seenByA: TabMessage[] = [];
    a.subscribe((m) => seenByA.push(m));
    const received = nextMessage(b);
    a.post({ type: 'logout', sessionId: 's1' });
    expect(await received).toEqual({ type: 'logout', sessionId: 's1' });
    expect(seenByA).toEqual([]);
  });

  it('ignores messages that are not tab messages', async () => {
    const a = tab();
    const seen: unknown[] = [];
    a.subscribe((m) => seen.push(m));
    const raw = new BroadcastChannel('keycard');
    const received = nextMessage(a);
    raw.postMessage('hello');
    raw.postMessage({ kind: 'token' });
    raw.postMessage({ type: 'hello' });
    expect(await received).toEqual({ type: 'hello' });
    expect(seen).toEqual([{ type: 'hello' }]);
    raw.close();
  });

  it('runs refreshes one at a time without Web Locks, and goes on after a failure', async () => {
    const sync = tab();
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const first = sync.withRefreshLock(async () => {
      order.push('first:start');
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      order.push('first:end');
      throw new Error('refresh failed');
    });
    const second = sync.withRefreshLock(async () => {
      order.push('second');
      return 42;
    });
    await Promise.resolve();
    expect(order).toEqual(['first:start']);
    releaseFirst();
    await expect(first).rejects.toThrow('refresh failed');
    expect(await second).toBe(42);
    expect(order).toEqual(['first:start', 'first:end', 'second']);
  });

  it('reports whether locks are cross-tab', () => {
    const hasLocks = typeof navigator !== 'undefined' && navigator.locks !== undefined;
    expect(tab().crossTabLocks).toBe(hasLocks);
  });
});
