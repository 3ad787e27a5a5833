// The `mfa_token` of a sign-in between the password and the second factor, and the amr values a
// sign-in ends with (issue 13 contract §1).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer, sha256Hex } from '../src/crypto/index.js';
import {
  issueChallenge,
  openPending,
  PENDING_TTL_SECONDS,
  passkeyAlone,
  passwordFingerprint,
  passwordOnly,
  passwordWith,
  sealPending,
} from '../src/mfa/index.js';

let now = 1_700_000_000_000;
const ctx = { sealer: createSealer(randomBytes(32)), clock: () => now };
const PURPOSE = 'authorize:interaction-1';
const base = {
  userId: 'u1',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  amr: passwordOnly(),
  passwordAt: now - 1000,
  purpose: PURPOSE,
  enrol: false,
};

describe('amr of each way to sign in', () => {
  it('are exactly the contract arrays', () => {
    expect(passwordOnly()).toEqual(['pwd']);
    expect(passwordWith('totp')).toEqual(['pwd', 'otp', 'mfa']);
    expect(passwordWith('recovery_code')).toEqual(['pwd', 'otp', 'mfa']);
    expect(passwordWith('passkey')).toEqual(['pwd', 'hwk', 'mfa']);
    expect(passkeyAlone()).toEqual(['hwk', 'mfa']);
  });

  it('are new arrays each time: a caller changing one changes no other', () => {
    const a = passwordWith('totp');
    a.push('hwk');
    expect(passwordWith('totp')).toEqual(['pwd', 'otp', 'mfa']);
  });
});

describe('pending sign-ins', () => {
  it('open back for their purpose with what they carry', () => {
    const token = sealPending(ctx, { ...base, proven: ['totp'], enrol: true });
    expect(token).not.toContain(PURPOSE);
    expect(passwordFingerprint(base.passwordHash)).toMatch(/^[0-9a-f]{16}$/);
    expect(openPending(ctx, token, PURPOSE)).toEqual({
      userId: 'u1',
      passwordFingerprint: passwordFingerprint(base.passwordHash),
      amr: ['pwd'],
      passwordAt: now - 1000,
      proven: ['totp'],
      enrol: true,
      expiresAt: now + PENDING_TTL_SECONDS * 1000,
    });
    expect(openPending(ctx, token, PURPOSE, 'u1').userId).toBe('u1');
    expect(openPending(ctx, sealPending(ctx, base), PURPOSE).proven).toEqual([]);
  });

  it('do not open for another purpose or another person', () => {
    const token = sealPending(ctx, base);
    for (const [purpose, userId] of [
      ['authorize:interaction-2', undefined],
      ['api-login', undefined],
      ['', undefined],
      [PURPOSE, 'u2'],
    ] as const) {
      expect(() => openPending(ctx, token, purpose, userId)).toThrow(
        expect.objectContaining({ code: 'ERR_LOGIN_REQUIRED' }),
      );
    }
  });

  it('expire after five minutes', () => {
    const start = now;
    const token = sealPending(ctx, base);
    try {
      now = start + PENDING_TTL_SECONDS * 1000 - 1;
      expect(openPending(ctx, token, PURPOSE).userId).toBe('u1');
      now = start + PENDING_TTL_SECONDS * 1000;
      expect(() => openPending(ctx, token, PURPOSE)).toThrow(
        expect.objectContaining({ code: 'ERR_LOGIN_REQUIRED' }),
      );
    } finally {
      now = start;
    }
  });

  it('refuse forged, edited, foreign and other sealed values', () => {
    const token = sealPending(ctx, base);
    const other = { sealer: createSealer(randomBytes(32)), clock: ctx.clock };
    const [v, iv, body, tag] = token.split('.') as [string, string, string, string];
    for (const bad of [
      '',
      // One character of the body changed (always to a different one).
      `${v}.${iv}.${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}.${tag}`,
      sealPending(other, base),
      issueChallenge(ctx, { purpose: 'authenticate', userId: 'u1' }).token,
      // A value sealed for this context that is not a pending sign-in's payload.
      ctx.sealer.seal(JSON.stringify({ e: now + 60_000, p: { v: 1, u: 'u1' } }), 'mfa-pending'),
      ctx.sealer.seal(
        JSON.stringify({
          e: now + 60_000,
          p: { v: 1, u: 'u1', p: 'x', a: ['pwd', 'pwd'], t: 1, h: 'x', f: [], e: false },
        }),
        'mfa-pending',
      ),
      // Sealed before tokens carried the password's fingerprint: nothing to check it against.
      ctx.sealer.seal(
        JSON.stringify({
          e: now + 60_000,
          p: { v: 1, u: 'u1', a: ['pwd'], t: 1, h: sha256Hex(PURPOSE), f: [], e: false },
        }),
        'mfa-pending',
      ),
      `${token}${'A'.repeat(2000)}`,
    ]) {
      expect(() => openPending(ctx, bad, PURPOSE)).toThrow(
        expect.objectContaining({ code: 'ERR_LOGIN_REQUIRED' }),
      );
    }
  });

  it('refuse to seal values out of range (a bug, not a request)', () => {
    for (const input of [
      { ...base, userId: '' },
      { ...base, userId: 'x'.repeat(65) },
      { ...base, amr: ['pwd', 'pwd'] as const },
      { ...base, amr: ['password'] as unknown as ['pwd'] },
      { ...base, proven: ['sms'] as unknown as ['totp'] },
      { ...base, passwordAt: Number.NaN },
    ]) {
      expect(() => sealPending(ctx, input)).toThrow(expect.objectContaining({ code: 'ERR_INTERNAL' }));
    }
  });
});
