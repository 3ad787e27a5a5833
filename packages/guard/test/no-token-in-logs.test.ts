import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../src/adapters/fetch.js';
import type { Guard, GuardError } from '../src/index.js';
import { createGuard, isGuardError } from '../src/index.js';
import type { DpopHolder } from './support/dpop.js';
import { dpopHolder } from './support/dpop.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

/**
 * DESIGN.md: "no secret, password or full token ever in a log line or error message", at the door:
 * for every DPoP refusal (no proof, another key's, replayed, for another URL, a garbage proof, a
 * bound card as Bearer) neither the card nor the proof is in the adapter's refusal line, the
 * GuardError's message, reason or JSON, the answer body or its headers.
 */
describe('refusals at the door carry neither the card nor the proof', () => {
  let issuer: TestIssuer;
  let alice: DpopHolder;
  let mallory: DpopHolder;
  let guard: Guard;
  beforeAll(async () => {
    issuer = await startTestIssuer();
    alice = await dpopHolder(issuer);
    mallory = await dpopHolder(issuer);
    guard = createGuard({
      tokenIssuer: issuer.url,
      keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
      audience: issuer.audience,
      revocation: false,
    });
  });
  afterAll(async () => {
    await guard.close();
    await issuer.close();
  });

  it('for each DPoP refusal', async () => {
    const url = 'http://rooms.test/rooms/101?room=101';
    const card = alice.card();
    const good = alice.proof('GET', url, card);
    const secrets: string[] = [card, card.split('.')[2]!];
    const cases: Record<string, string>[] = [
      { authorization: `DPoP ${card}` },
      { authorization: `DPoP ${card}`, dpop: mallory.proof('GET', url, card) },
      { authorization: `DPoP ${card}`, dpop: alice.proof('GET', 'http://rooms.test/admin', card) },
      { authorization: `DPoP ${card}`, dpop: alice.proof('POST', url, card) },
      { authorization: `DPoP ${card}`, dpop: `${good.slice(0, -10)}AAAAAAAAAA` },
      { authorization: `DPoP ${card}`, dpop: 'eyJ0eXAiOiJkcG9wK2p3dCJ9.not-a-proof-but-long-enough.x' },
      { authorization: `Bearer ${card}`, dpop: alice.proof('GET', url, card) },
      { authorization: `DPoP ${card}`, dpop: good },
      { authorization: `DPoP ${card}`, dpop: good }, // replayed
      { authorization: `DPoP ${card.slice(0, -6)}AAAAAA`, dpop: alice.proof('GET', url, card) },
    ];
    for (const headers of cases)
      if (headers['dpop']) secrets.push(headers['dpop'], headers['dpop'].split('.')[2]!);
    const lines: string[] = [];
    const errors: GuardError[] = [];
    const verify = authenticate(guard, {
      onRefused: (line, error) => {
        lines.push(line);
        errors.push(error);
      },
    });
    const said: string[] = [];
    let refused = 0;
    for (const headers of cases) {
      const answer = await verify(new Request(url, { headers }));
      if (!(answer instanceof Response)) continue;
      refused++;
      const e = errors.at(-1)!;
      expect(isGuardError(e)).toBe(true);
      said.push(
        e.message,
        String(e.reason),
        JSON.stringify(e),
        JSON.stringify(e.toJSON()),
        await answer.text(),
      );
      answer.headers.forEach((value) => {
        said.push(value);
      });
    }
    expect(refused).toBe(cases.length - 1); // only the first use of the good proof passes
    expect(lines).toHaveLength(refused);
    const text = [...lines, ...said].join('\n');
    for (const secret of secrets.filter((s) => s.length >= 16))
      expect(text.includes(secret), `${secret.slice(0, 12)}… was said`).toBe(false);
  });
});
