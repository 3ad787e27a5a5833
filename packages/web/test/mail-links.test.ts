import { describe, expect, it } from 'vitest';
import { AppError } from '../src/lib/errors.js';
import { linkParts } from '../src/lib/mail-links.js';
import { stepUpOf } from '../src/lib/step-up.js';

describe('linkParts (the Mailbox shows a mail as text with its web links clickable)', () => {
  it('makes http(s) links of the addresses, without the sentence punctuation after them', () => {
    expect(linkParts('Open http://localhost:4000/#/reset?token=abc_-1. Thanks')).toEqual([
      { text: 'Open ' },
      {
        href: 'http://localhost:4000/#/reset?token=abc_-1',
        text: 'http://localhost:4000/#/reset?token=abc_-1',
      },
      { text: '. Thanks' },
    ]);
    expect(linkParts('(https://desk.example/a)')).toEqual([
      { text: '(' },
      { href: 'https://desk.example/a', text: 'https://desk.example/a' },
      { text: ')' },
    ]);
  });

  it('leaves every other scheme and any markup as text', () => {
    const text = 'javascript:alert(1) data:text/html,x <a href="http://x">y</a> mailto:a@b';
    const parts = linkParts(text);
    expect(parts.filter((p) => 'href' in p).map((p) => (p as { href: string }).href)).toEqual(['http://x/']);
    expect(parts.map((p) => p.text).join('')).toBe(text);
  });

  it('keeps a text without links whole', () => {
    expect(linkParts('Hello,\n\nno links here.')).toEqual([{ text: 'Hello,\n\nno links here.' }]);
    expect(linkParts('')).toEqual([]);
  });
});

describe('stepUpOf (a change refused for want of a recent sign-in)', () => {
  const refused = (code: string, wwwAuthenticate?: string, status = 401) =>
    new AppError(code, 'refused', { status, wwwAuthenticate });

  it('reads max_age and acr_values from the challenge', () => {
    expect(
      stepUpOf(
        refused(
          'ERR_STEP_UP_REQUIRED',
          'DPoP error="insufficient_user_authentication", error_description="Sign in again", max_age="600", algs="ES256"',
        ),
      ),
    ).toEqual({ acrValues: [], maxAge: 600 });
    expect(
      stepUpOf(
        refused(
          'ERR_STEP_UP_REQUIRED',
          'Bearer error="insufficient_user_authentication", acr_values="urn:keycard:acr:mfa"',
        ),
      ),
    ).toEqual({ acrValues: ['urn:keycard:acr:mfa'], maxAge: undefined });
  });

  it('takes the code alone as a fresh sign-in, and nothing else as a step-up', () => {
    expect(stepUpOf(refused('ERR_STEP_UP_REQUIRED'))).toEqual({ acrValues: [], maxAge: undefined });
    expect(stepUpOf(refused('ERR_INVALID_TOKEN', 'Bearer error="invalid_token"'))).toBeUndefined();
    expect(stepUpOf(refused('ERR_STEP_UP_REQUIRED', undefined, 403))).toBeUndefined();
    expect(stepUpOf(new Error('x'))).toBeUndefined();
  });
});
