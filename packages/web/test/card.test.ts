import type { ApiTokenSet } from '@keycard/protocol';
import { describe, expect, it } from 'vitest';
import { API_AUDIENCE, cardFrom, jktOf } from '../src/session/card.js';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (payload: unknown) => `${part({ alg: 'ES256', typ: 'at+jwt' })}.${part(payload)}.sig`;
const NOW = 1_700_000_000_000;
/** A login answer as the server sends it (@keycard/protocol ApiTokenSet). */
const answer = (
  fields: Pick<ApiTokenSet, 'access_token' | 'token_type' | 'expires_in'> & { audience?: string },
): ApiTokenSet => ({
  scope: '',
  session_id: 's1',
  user: { id: 'u', username: 'u', roles: [] },
  audience: 'keycard',
  ...fields,
});
/** An answer with only the card in it (not what keycard sends): the fallbacks still hold. */
const bare = (fields: Record<string, unknown>) => fields as unknown as ApiTokenSet;

describe('cards from token answers', () => {
  it('reads a DPoP-bound door card: its one audience, the scheme and cnf.jkt', () => {
    const card = cardFrom(
      answer({
        access_token: token({ aud: 'rooms', cnf: { jkt: 'thumb' }, exp: 1_700_000_600, sid: 's1' }),
        token_type: 'DPoP',
        expires_in: 600,
        audience: 'rooms',
      }),
      NOW,
      'rooms',
    );
    expect(card).toMatchObject({ audience: 'rooms', tokenType: 'DPoP', jkt: 'thumb', sessionId: 's1' });
  });

  it('takes the audience asked for when the answer names none, and Bearer for an unbound card', () => {
    const card = cardFrom(
      bare({ access_token: token({ exp: 1 }), token_type: 'Bearer', expires_in: 60 }),
      NOW,
    );
    expect(card).toMatchObject({ audience: API_AUDIENCE, tokenType: 'Bearer', jkt: undefined });
    expect(
      cardFrom(bare({ access_token: 'opaque', token_type: 'dpop', expires_in: 60 }), NOW, 'billing'),
    ).toMatchObject({
      audience: 'billing',
      tokenType: 'DPoP',
      exp: NOW / 1000 + 60,
    });
  });

  it('finds cnf.jkt only where RFC 7800 puts it', () => {
    expect(jktOf({ cnf: { jkt: 'a' } })).toBe('a');
    expect(jktOf({ cnf: 'a' })).toBeUndefined();
    expect(jktOf({ cnf: { jkt: 1 } })).toBeUndefined();
    expect(jktOf({})).toBeUndefined();
  });
});
