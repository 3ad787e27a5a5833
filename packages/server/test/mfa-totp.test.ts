// TOTP (RFC 6238): the library against the RFC's own vectors, then keycard's 6-digit check, its
// ±1 step window, its refusal of anything but six ASCII digits, and the otpauth URI apps scan.
import { HOTP, Secret, TOTP, URI } from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  currentStep,
  generateTotpSecret,
  otpauthUri,
  TOTP_PERIOD_SECONDS,
  verifyTotp,
} from '../src/mfa/index.js';

/** RFC 6238 Appendix B, SHA-1 rows: the seed is the ASCII string "12345678901234567890". */
const RFC_SEED = '12345678901234567890';
const RFC_SHA1 = [
  { time: 59, step: '0000000000000001', totp: '94287082' },
  { time: 1111111109, step: '00000000023523EC', totp: '07081804' },
  { time: 1111111111, step: '00000000023523ED', totp: '14050471' },
  { time: 1234567890, step: '000000000273EF07', totp: '89005924' },
  { time: 2000000000, step: '0000000003F940AA', totp: '69279037' },
  { time: 20000000000, step: '0000000027BC86AA', totp: '65353130' },
];
const rfcSecret = Secret.fromLatin1(RFC_SEED);

describe('RFC 6238 Appendix B (SHA-1)', () => {
  it.each(RFC_SHA1)('the library gives $totp at T=$time with 8 digits', ({ time, totp }) => {
    expect(
      TOTP.generate({ secret: rfcSecret, algorithm: 'SHA1', digits: 8, period: 30, timestamp: time * 1000 }),
    ).toBe(totp);
  });

  it.each(RFC_SHA1)('currentStep($time s) is the RFC step $step', ({ time, step }) => {
    expect(currentStep(time * 1000)).toBe(Number.parseInt(step, 16));
  });

  it.each(RFC_SHA1)('verifyTotp takes the last six digits of $totp at T=$time', ({ time, step, totp }) => {
    const code = totp.slice(-6);
    expect(verifyTotp(rfcSecret.base32, code, time * 1000)).toBe(Number.parseInt(step, 16));
  });
});

describe('verifyTotp window', () => {
  // A fixed secret and time, mid-step: every code below is known in advance (no luck involved).
  const secret = rfcSecret.base32;
  const now = 1_700_000_015_000;
  const step = currentStep(now);
  const codeAt = (counter: number) =>
    HOTP.generate({ secret: rfcSecret, algorithm: 'SHA1', digits: 6, counter });
  const period = TOTP_PERIOD_SECONDS * 1000;

  it('has five different codes around the step (so each refusal below is meaningful)', () => {
    const codes = [-2, -1, 0, 1, 2].map((d) => codeAt(step + d));
    expect(new Set(codes).size).toBe(5);
  });

  it('accepts the current step', () => {
    expect(verifyTotp(secret, codeAt(step), now)).toBe(step);
  });

  it('accepts the previous step and returns it', () => {
    expect(verifyTotp(secret, codeAt(step - 1), now)).toBe(step - 1);
  });

  it('accepts the next step and returns it', () => {
    expect(verifyTotp(secret, codeAt(step + 1), now)).toBe(step + 1);
  });

  it('refuses two steps back', () => {
    expect(verifyTotp(secret, codeAt(step - 2), now)).toBeUndefined();
  });

  it('refuses two steps ahead', () => {
    expect(verifyTotp(secret, codeAt(step + 2), now)).toBeUndefined();
  });

  it('holds at the edges of a step: its first and last millisecond, then one and two steps on', () => {
    const start = step * period;
    expect(verifyTotp(secret, codeAt(step), start)).toBe(step);
    expect(verifyTotp(secret, codeAt(step), start + period - 1)).toBe(step);
    expect(verifyTotp(secret, codeAt(step), start + period)).toBe(step);
    expect(verifyTotp(secret, codeAt(step), start + 2 * period - 1)).toBe(step);
    expect(verifyTotp(secret, codeAt(step), start + 2 * period)).toBeUndefined();
    expect(verifyTotp(secret, codeAt(step), start - period)).toBe(step);
    expect(verifyTotp(secret, codeAt(step), start - period - 1)).toBeUndefined();
  });

  it.each([
    ['five digits', (c: string) => c.slice(1)],
    ['seven digits', (c: string) => `${c}0`],
    ['the 8-digit form', () => TOTP.generate({ secret: rfcSecret, digits: 8, timestamp: now })],
    ['a letter', (c: string) => `${c.slice(0, 5)}a`],
    ['spaces around', (c: string) => ` ${c} `],
    ['a space inside', (c: string) => `${c.slice(0, 3)} ${c.slice(3)}`],
    ['full-width digits', (c: string) => String.fromCodePoint(...[...c].map((d) => 0xff10 + Number(d)))],
    ['Arabic-Indic digits', (c: string) => String.fromCodePoint(...[...c].map((d) => 0x0660 + Number(d)))],
    ['a sign', (c: string) => `+${c.slice(1)}`],
    ['empty', () => ''],
  ])('refuses %s', (_name, edit) => {
    expect(verifyTotp(secret, codeAt(step), now)).toBe(step);
    expect(verifyTotp(secret, edit(codeAt(step)), now)).toBeUndefined();
  });

  it("refuses another secret's code", () => {
    const other = Secret.fromLatin1('another twenty bytes');
    const code = HOTP.generate({ secret: other, algorithm: 'SHA1', digits: 6, counter: step });
    expect([-1, 0, 1].map((d) => codeAt(step + d))).not.toContain(code);
    expect(verifyTotp(secret, code, now)).toBeUndefined();
    expect(verifyTotp(other.base32, code, now)).toBe(step);
  });
});

describe('secrets and URIs', () => {
  it('makes 160-bit secrets, base32, each different', () => {
    const secrets = new Set(Array.from({ length: 50 }, generateTotpSecret));
    expect(secrets.size).toBe(50);
    for (const s of secrets) {
      expect(s).toMatch(/^[A-Z2-7]{32}$/);
      expect(Secret.fromBase32(s).bytes.length).toBe(20);
    }
  });

  it('writes an otpauth URI an app reads back as SHA-1, 6 digits, 30 s', () => {
    const secret = generateTotpSecret();
    const uri = otpauthUri({ issuerLabel: 'keycard', accountName: 'alice@example.com', secret });
    expect(uri.startsWith('otpauth://totp/keycard:alice%40example.com?')).toBe(true);
    const parsed = URI.parse(uri) as TOTP;
    expect(parsed).toBeInstanceOf(TOTP);
    expect(parsed).toMatchObject({
      issuer: 'keycard',
      label: 'alice@example.com',
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(parsed.secret.base32).toBe(secret);
  });
});
