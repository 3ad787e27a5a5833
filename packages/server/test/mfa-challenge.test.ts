// WebAuthn challenges sealed for one purpose and one person, with an expiry, and good for one
// ceremony across the cluster (through Redis when there is one).
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSealer } from '../src/crypto/index.js';
import { createMemoryCoordinator, createRedisCoordinator } from '../src/index.js';
import {
  CHALLENGE_TTL_SECONDS,
  issueChallenge,
  openChallenge,
  sealPending,
  useChallengeOnce,
} from '../src/mfa/index.js';
import { probeRedis, REDIS_URL, uniquePrefix } from './support/redis.js';

const skip = await probeRedis();
if (skip) console.log(`Cluster challenge tests skipped: ${skip}`);

let now = 1_700_000_000_000;
const ctx = { sealer: createSealer(randomBytes(32)), clock: () => now };

describe('sealed challenges', () => {
  it('are 32 random bytes, base64url, and open for their purpose and person', () => {
    const a = issueChallenge(ctx, { purpose: 'register', userId: 'u1' });
    const b = issueChallenge(ctx, { purpose: 'register', userId: 'u1' });
    expect(a.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.challenge, 'base64url')).toHaveLength(32);
    expect(a.challenge).not.toBe(b.challenge);
    expect(a.token).not.toContain(a.challenge);
    expect(openChallenge(ctx, a.token, 'register', 'u1')).toBe(a.challenge);
    const signIn = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
    expect(openChallenge(ctx, signIn.token, 'authenticate', null)).toBe(signIn.challenge);
  });

  it.each([
    ['another purpose', 'authenticate', 'u1'],
    ['another person', 'register', 'u2'],
    ['no person (a passkey sign-in)', 'register', null],
  ] as const)('do not open for %s', (_name, purpose, userId) => {
    const { token } = issueChallenge(ctx, { purpose: 'register', userId: 'u1' });
    expect(() => openChallenge(ctx, token, purpose, userId)).toThrow(
      expect.objectContaining({ code: 'ERR_PASSKEY_INVALID' }),
    );
  });

  it('a sign-in challenge does not open as one for a person', () => {
    const { token } = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
    expect(() => openChallenge(ctx, token, 'authenticate', 'u1')).toThrow(
      expect.objectContaining({ code: 'ERR_PASSKEY_INVALID' }),
    );
  });

  it('expire after five minutes', () => {
    const start = now;
    const { token, challenge } = issueChallenge(ctx, { purpose: 'register', userId: 'u1' });
    try {
      now = start + CHALLENGE_TTL_SECONDS * 1000 - 1;
      expect(openChallenge(ctx, token, 'register', 'u1')).toBe(challenge);
      now = start + CHALLENGE_TTL_SECONDS * 1000;
      expect(() => openChallenge(ctx, token, 'register', 'u1')).toThrow(
        expect.objectContaining({ code: 'ERR_PASSKEY_INVALID' }),
      );
    } finally {
      now = start;
    }
  });

  it('refuse forged, edited, foreign and other sealed values', () => {
    const { token } = issueChallenge(ctx, { purpose: 'register', userId: 'u1' });
    const other = { sealer: createSealer(randomBytes(32)), clock: ctx.clock };
    const pending = sealPending(ctx, {
      userId: 'u1',
      passwordHash: '$argon2id$stand-in',
      amr: ['pwd'],
      passwordAt: now,
      purpose: 'x',
      enrol: false,
    });
    const [v, iv, body, tag] = token.split('.') as [string, string, string, string];
    for (const bad of [
      '',
      'x',
      `${v}.${iv}.${body}.${tag.slice(1)}A`,
      `${v}.${iv}.${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}.${tag}`,
      issueChallenge(other, { purpose: 'register', userId: 'u1' }).token,
      pending,
      `${token}${'A'.repeat(4000)}`,
      42 as unknown as string,
    ]) {
      expect(() => openChallenge(ctx, bad, 'register', 'u1')).toThrow(
        expect.objectContaining({ code: 'ERR_PASSKEY_INVALID' }),
      );
    }
  });
});

describe('useChallengeOnce', () => {
  it('claims a challenge once in one process', async () => {
    const coordinator = createMemoryCoordinator({ clock: () => now });
    try {
      const { challenge } = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
      const results = await Promise.all(
        Array.from({ length: 5 }, () => useChallengeOnce({ coordinator }, challenge)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await useChallengeOnce({ coordinator }, challenge)).toBe(false);
      // Another challenge is its own.
      expect(
        await useChallengeOnce(
          { coordinator },
          issueChallenge(ctx, { purpose: 'authenticate', userId: null }).challenge,
        ),
      ).toBe(true);
    } finally {
      await coordinator.close();
    }
  });

  it('stays used for as long as the challenge lives', async () => {
    let t = now;
    const coordinator = createMemoryCoordinator({ clock: () => t });
    try {
      const { challenge } = issueChallenge(ctx, { purpose: 'register', userId: 'u1' });
      expect(await useChallengeOnce({ coordinator }, challenge)).toBe(true);
      t += CHALLENGE_TTL_SECONDS * 1000;
      expect(await useChallengeOnce({ coordinator }, challenge)).toBe(false);
    } finally {
      await coordinator.close();
    }
  });

  describe.skipIf(skip !== undefined)('across instances sharing Redis', () => {
    const prefix = uniquePrefix();
    const coordinators: Awaited<ReturnType<typeof createRedisCoordinator>>[] = [];
    afterAll(async () => {
      for (const c of coordinators) await c.close();
    });

    it('one instance claims it; the others, racing or later, do not', async () => {
      for (let i = 0; i < 3; i++)
        coordinators.push(await createRedisCoordinator({ url: REDIS_URL, keyPrefix: prefix }));
      const { challenge } = issueChallenge(ctx, { purpose: 'authenticate', userId: null });
      const results = await Promise.all(
        coordinators.map((coordinator) => useChallengeOnce({ coordinator }, challenge)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      for (const coordinator of coordinators)
        expect(await useChallengeOnce({ coordinator }, challenge)).toBe(false);
    });
  });
});
