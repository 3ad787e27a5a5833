// A sealed value opens in exactly one spelling: callers that key single use on its text (the
// pending sign-in's one-use claim, say) must not be fooled by padding, spare bits or extra parts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../src/crypto/index.js';

const sealer = createSealer(randomBytes(32));

/** The other base64url character with the same leading bits (its spare low bits differ). */
function twin(last: string, spareBits: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return alphabet.charAt(alphabet.indexOf(last) ^ ((1 << spareBits) - 1) || 1);
}

describe('sealed values: one spelling only', () => {
  it('opens the sealed text and nothing spelt differently', () => {
    const sealed = sealer.seal('{"x":1}', 'ctx');
    expect(sealer.open(sealed, 'ctx')).toBe('{"x":1}');
    const [v, iv, body, tag] = sealed.split('.') as [string, string, string, string];
    // A 16-byte tag is 22 characters: the last one carries 4 spare bits; a 12-byte IV has none.
    const variants = [
      `${sealed}.x`,
      `${sealed}.`,
      `${sealed}=`,
      `${v}.${iv}.${body}.${tag}==`,
      `${v}.${iv}=.${body}.${tag}`,
      `${v}.${iv}.${body}.${tag.slice(0, -1)}${twin(tag.slice(-1), 4)}`,
      `${v}.${iv}.${body}.${tag.slice(0, -1)}`,
      `${v}.${iv.slice(0, -1)}.${body}.${tag}`,
      `${v}.${iv}.${body}.${tag}`.replace(/-/g, '+'),
      ` ${sealed}`,
    ].filter((s) => s !== sealed);
    for (const variant of variants) {
      expect(() => sealer.open(variant, 'ctx'), variant).toThrow(
        expect.objectContaining({ code: 'ERR_MASTER_KEY_INVALID' }),
      );
    }
  });
});
