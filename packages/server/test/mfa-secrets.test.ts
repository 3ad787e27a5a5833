// What a second factor keeps at rest and shows once: TOTP secrets sealed under the master key for
// their own context, recovery codes and their keyed hashes, the QR code of an enrolment.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../src/crypto/index.js';
import {
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  MAX_QR_TEXT_LENGTH,
  normalizeRecoveryCode,
  openTotpSecret,
  otpauthUri,
  qrSvg,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_COUNT,
  sealTotpSecret,
} from '../src/mfa/index.js';

const ctx = { sealer: createSealer(randomBytes(32)) };

describe('TOTP secrets at rest', () => {
  it('seal and open back; the sealed form does not contain the secret', () => {
    const secret = generateTotpSecret();
    const sealed = sealTotpSecret(ctx, secret);
    expect(sealed).not.toContain(secret);
    expect(openTotpSecret(ctx, sealed)).toBe(secret);
  });

  it('no value sealed for another purpose opens as a TOTP secret', () => {
    const secret = generateTotpSecret();
    for (const context of ['webauthn-challenge', 'mfa-pending', 'authorize-interaction', 'totp-secret:x']) {
      const sealed = ctx.sealer.seal(secret, context);
      expect(() => openTotpSecret(ctx, sealed)).toThrow(
        expect.objectContaining({ code: 'ERR_MASTER_KEY_INVALID' }),
      );
    }
  });

  it('a TOTP secret opens as nothing else', () => {
    const sealed = sealTotpSecret(ctx, generateTotpSecret());
    expect(() => ctx.sealer.open(sealed, 'webauthn-challenge')).toThrow(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_INVALID' }),
    );
  });

  it('another master key or an edited value does not open', () => {
    const sealed = sealTotpSecret(ctx, generateTotpSecret());
    const other = { sealer: createSealer(randomBytes(32)) };
    expect(() => openTotpSecret(other, sealed)).toThrow(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_INVALID' }),
    );
    const [v, iv, body, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = `${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => openTotpSecret(ctx, [v, iv, flipped, tag].join('.'))).toThrow(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_INVALID' }),
    );
  });
});

describe('recovery codes', () => {
  it('ten distinct codes xxxxx-xxxxx over 32 unambiguous characters: 50 bits each', () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(32);
    for (const lookAlike of ['0', 'o', '1', 'l']) expect(RECOVERY_CODE_ALPHABET).not.toContain(lookAlike);
    expect(RECOVERY_CODE_ALPHABET).toBe(RECOVERY_CODE_ALPHABET.toLowerCase());
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    const shape = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{5}-[${RECOVERY_CODE_ALPHABET}]{5}$`);
    for (const code of codes) expect(code).toMatch(shape);
  });

  it('every character of the alphabet turns up (the low five bits of each byte are all used)', () => {
    const seen = new Set(Array.from({ length: 40 }, generateRecoveryCodes).flat().join('').replace(/-/g, ''));
    // 4000 draws from 32 characters: missing one has a probability below 1e-50.
    expect(seen.size).toBe(32);
  });

  it('normalizes what a person types: case, spaces, dashes', () => {
    const [code] = generateRecoveryCodes() as [string];
    const compact = code.replace('-', '');
    for (const typed of [
      code,
      code.toUpperCase(),
      compact,
      ` ${compact.slice(0, 3)} ${compact.slice(3)} `,
      `${code}\n`,
    ]) {
      expect(normalizeRecoveryCode(typed)).toBe(code);
    }
  });

  it.each([
    ['too short', 'abcde-fghj'],
    ['too long', 'abcde-fghjkm'],
    ['a look-alike', 'abcde-fghj0'],
    ['punctuation', 'abcde.fghjk'],
    ['very long input', `abcde-fghjk${' '.repeat(100)}`],
    ['empty', ''],
  ])('refuses %s', (_name, typed) => {
    expect(normalizeRecoveryCode(typed)).toBeUndefined();
    expect(() => hashRecoveryCode(ctx, typed)).toThrow(expect.objectContaining({ code: 'ERR_MFA_INVALID' }));
  });

  it('hashes the canonical form with a key of the master key: 64 hex, the same however typed', () => {
    const [a, b] = generateRecoveryCodes() as [string, string];
    const hash = hashRecoveryCode(ctx, a);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(ctx, a.toUpperCase().replace('-', ' '))).toBe(hash);
    expect(hashRecoveryCode(ctx, b)).not.toBe(hash);
    // Without the master key the hash says nothing: another server's differs.
    expect(hashRecoveryCode({ sealer: createSealer(randomBytes(32)) }, a)).not.toBe(hash);
  });
});

describe('QR code of an enrolment', () => {
  it('is an SVG of paths only: no text of the URI in it', async () => {
    const secret = generateTotpSecret();
    const svg = await qrSvg(otpauthUri({ issuerLabel: 'keycard', accountName: 'alice', secret }));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<path');
    expect(svg).not.toContain(secret);
    expect(svg).not.toContain('alice');
    expect(svg).not.toMatch(/<script|<text|href/i);
  });

  it('refuses empty or over-long text', async () => {
    await expect(qrSvg('')).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    await expect(qrSvg('x'.repeat(MAX_QR_TEXT_LENGTH + 1))).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    await expect(qrSvg('x'.repeat(MAX_QR_TEXT_LENGTH))).resolves.toContain('<svg');
  });
});
