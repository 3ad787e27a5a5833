// What another instance (or anyone who can publish on the channel) sends: only a well-formed,
// small envelope is read; everything else is dropped without throwing.
import { describe, expect, it } from 'vitest';
import { MAX_ENVELOPE_BYTES, parseEnvelope } from '../src/coordinator/fanout.js';

const envelope = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    from: 'a',
    seq: 1,
    msg: {
      kind: 'revocation',
      event: { cursor: 3, type: 'session', sid: 's', at: 1, expiresAt: 2, ...extra },
    },
  });

describe('parseEnvelope', () => {
  it('reads a well-formed envelope', () => {
    expect(parseEnvelope(envelope())?.msg).toMatchObject({ kind: 'revocation', event: { cursor: 3 } });
    expect(
      parseEnvelope(JSON.stringify({ from: 'a', seq: 2, msg: { kind: 'invalidate', what: 'keys' } })),
    ).toBeDefined();
  });

  it('drops junk without throwing', () => {
    for (const junk of [
      '',
      'null',
      '[]',
      '"x"',
      '{',
      '{"from":1}',
      '{"from":"a","seq":1,"msg":null}',
      '{"from":"a","seq":1,"msg":{"kind":"invalidate","what":"everything"}}',
      '{"from":"a","seq":1,"msg":{"kind":"revocation","event":{"cursor":"9"}}}',
    ]) {
      expect(parseEnvelope(junk)).toBeUndefined();
    }
  });

  it('drops a payload bigger than any envelope before parsing it', () => {
    const big = envelope({ pad: 'x'.repeat(MAX_ENVELOPE_BYTES) });
    expect(() => JSON.parse(big)).not.toThrow();
    expect(parseEnvelope(big)).toBeUndefined();
  });
});
