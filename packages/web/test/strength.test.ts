// Authentication strength in the web app, as functions: the words for a card's acr/amr and a door's
// step-up challenge, where passkeys can work, and what a refused second factor says.
import { ACR } from '@keycard/protocol';
import { WebAuthnError } from '@simplewebauthn/browser';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/lib/errors.js';
import { factorErrorFor } from '../src/lib/factor-error.js';
import { isIpAddress, passkeyCancelled, passkeySupport } from '../src/lib/passkeys.js';
import { acrWords, amrWords, stepUpWords } from '../src/lib/strength-words.js';

describe('strength in words', () => {
  it("names the card's acr and amr", () => {
    expect(acrWords(ACR.password)).toBe('Password');
    expect(acrWords(ACR.mfa)).toBe('Two factors');
    expect(acrWords(ACR.phishingResistant)).toMatch(/^Passkey/);
    expect(acrWords(undefined)).toBe('Not stated');
    expect(acrWords('urn:other')).toBe('urn:other');
    expect(amrWords(['pwd', 'otp', 'mfa'])).toBe('password, one-time code');
    expect(amrWords(['hwk', 'mfa'])).toBe('passkey');
  });

  it("says what a door's challenge asks for", () => {
    expect(stepUpWords({ acrValues: [ACR.mfa], maxAge: undefined })).toMatch(/second factor/);
    expect(stepUpWords({ acrValues: [ACR.phishingResistant], maxAge: undefined })).toMatch(/passkey/);
    expect(stepUpWords({ acrValues: [ACR.mfa], maxAge: 600 })).toMatch(/last 10 minutes/);
    expect(stepUpWords({ acrValues: [], maxAge: 0 })).toMatch(/sign in again/);
    expect(stepUpWords({ acrValues: [], maxAge: 90 })).toMatch(/last 90 seconds/);
    expect(stepUpWords({ acrValues: ['urn:other'], maxAge: undefined })).toBe(
      'It wants you to sign in again.',
    );
  });
});

describe('passkeys', () => {
  it('are never offered on an IP address or an insecure page', () => {
    expect(isIpAddress('127.0.0.1')).toBe(true);
    expect(isIpAddress('[::1]')).toBe(true);
    expect(isIpAddress('localhost')).toBe(false);
    expect(isIpAddress('keycard.example.com')).toBe(false);
    expect(passkeySupport({ hostname: '127.0.0.1', secure: true })).toBe('ip-address');
    expect(passkeySupport({ hostname: 'keycard.example.com', secure: false })).toBe('insecure-context');
    // Node has no PublicKeyCredential: a browser without WebAuthn.
    expect(passkeySupport({ hostname: 'localhost', secure: true })).toBe('unsupported');
  });

  it('a closed prompt or a replaced ceremony is no error', () => {
    const notAllowed = Object.assign(new Error('closed'), { name: 'NotAllowedError' });
    expect(passkeyCancelled(notAllowed)).toBe(true);
    const aborted = new WebAuthnError({
      message: 'aborted',
      code: 'ERROR_CEREMONY_ABORTED',
      cause: new Error(),
    });
    expect(passkeyCancelled(aborted)).toBe(true);
    expect(factorErrorFor(notAllowed, 'passkey', 0)).toBeUndefined();
    expect(passkeyCancelled(new AppError('ERR_PASSKEY_INVALID', 'no'))).toBe(false);
  });
});

describe('a refused second factor', () => {
  const now = 1_000_000;
  it('type again, start again, or wait', () => {
    expect(factorErrorFor(new AppError('ERR_MFA_INVALID', 'x', { status: 401 }), 'totp', now)).toMatchObject({
      kind: 'message',
      code: 'ERR_MFA_INVALID',
    });
    expect(
      factorErrorFor(new AppError('ERR_PASSKEY_INVALID', 'x', { status: 401 }), 'passkey', now),
    ).toMatchObject({ kind: 'message', code: 'ERR_PASSKEY_INVALID' });
    expect(
      factorErrorFor(new AppError('ERR_LOGIN_REQUIRED', 'x', { status: 401 }), 'totp', now),
    ).toMatchObject({
      kind: 'restart',
      code: 'ERR_LOGIN_REQUIRED',
    });
    expect(
      factorErrorFor(
        new AppError('ERR_RATE_LIMITED', 'x', { status: 429, retryAfter: 30 }),
        'recovery_code',
        now,
      ),
    ).toEqual({ kind: 'throttled', until: now + 30_000, code: 'ERR_RATE_LIMITED' });
    expect(factorErrorFor(AppError.of('ERR_NETWORK'), 'totp', now)).toMatchObject({ code: 'ERR_NETWORK' });
  });
});
