// An outsider's attack on the token endpoint's hand-written input path (http/input.ts parseForm,
// http/token-body.ts, the Basic decoding in http/client-auth.ts): real server on loopback, real
// SQLite file. Every odd body must get a clean RFC 6749 answer (400/401/413/415 with an `error`),
// never a 500 and never a card it should not get. Outcomes only; no timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, saveRole } from '../src/index.js';
import { addAudience, addUser, type Body, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const FORM = 'application/x-www-form-urlencoded';
const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
];
const CC = 'grant_type=client_credentials&resource=rooms';

let r: Running;
let secret: string;
const basicOf = (id: string, pw: string) => `Basic ${Buffer.from(`${id}:${pw}`).toString('base64')}`;
let basic: Record<string, string>;

async function raw(
  body: string | Uint8Array<ArrayBuffer>,
  type: string | null = FORM,
  headers: Record<string, string> = basic,
): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await fetch(`${r.url}/oauth/token`, {
    method: 'POST',
    headers: { ...(type === null ? {} : { 'content-type': type }), ...headers },
    body,
  });
  const text = await res.text();
  let parsed: Body;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { unparsed: text.slice(0, 200) };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A clean refusal: a 4xx the RFC names, an RFC 6749 error code, no card. */
function refused(res: { status: number; body: Body }, statuses = [400]): void {
  expect(statuses, JSON.stringify(res.body)).toContain(res.status);
  expect(OAUTH_ERRORS, JSON.stringify(res.body)).toContain(res.body.error);
  expect(res.body.access_token).toBeUndefined();
}

beforeAll(async () => {
  r = await startServer();
  const ctx = r.server.services;
  await addAudience(r, 'rooms', ['rooms:read', 'rooms:open'], 'Rooms');
  await saveRole(
    ctx,
    { name: 'guest', scopes: ['rooms:read'] },
    { actor: 't', request: { ip: null, userAgent: null } },
  );
  await addUser(r, 'ann', PASSWORD, ['guest']);
  secret = (
    await createClient(ctx, {
      id: 'desk',
      type: 'confidential',
      firstParty: true,
      grants: ['client_credentials', 'password', 'refresh_token'],
      audiences: ['rooms'],
      scopes: ['rooms:read'],
    })
  ).secret!;
  basic = { authorization: basicOf('desk', secret) };
});
afterAll(() => r.close());

describe('token endpoint form: repeated and disguised parameters', () => {
  it('the baseline client_credentials form is served', async () => {
    const res = await raw(CC);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.access_token).toBeTypeOf('string');
  });

  it('percent-encoded names are the same names: a decoded name alone works, a repeat is refused', async () => {
    expect((await raw('grant%5Ftype=client_credentials&resource=rooms')).status).toBe(200);
    expect((await raw('grant%5ftype=client%5Fcredentials&%72esource=rooms')).status).toBe(200);
    for (const body of [
      `${CC}&grant_type=client_credentials`,
      `${CC}&grant_type=password`,
      `${CC}&grant%5Ftype=password`,
      `grant%5Ftype=password&${CC}`,
      `${CC}&scope=rooms:read&scope=rooms:open`,
      `${CC}&scope=rooms:read&sc%6Fpe=rooms:open`,
      `${CC}&client_id=desk&client%5Fid=desk`,
      // The same, with a malformed escape elsewhere: the lenient re-parse must keep the rule.
      `${CC}&grant%5Ftype=password&junk=%ZZ`,
      `${CC}&scope=a&scope=b&junk=%`,
    ]) {
      const res = await raw(body);
      refused(res);
      expect(res.body.error, body).toBe('invalid_request');
    }
  });

  it("'+' and %20 are both a space: the same answer either way", async () => {
    const plus = await raw('grant_type=client+credentials&resource=rooms');
    const pct = await raw('grant_type=client%20credentials&resource=rooms');
    refused(plus);
    expect(pct.status).toBe(plus.status);
    expect(pct.body).toEqual(plus.body);
    // A scope list with '+' between scopes is a list of two: the one the client may not have is
    // left out of the card (RFC 6749 §3.3 lets the server narrow the scope), never granted.
    const narrowed = await raw(`${CC}&scope=rooms:read+rooms:open`);
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope.split(' ')).toEqual(['rooms:read']);
    expect((await raw(`${CC}&scope=rooms:read`)).status).toBe(200);
  });

  it('__proto__, constructor and other Object.prototype names neither crash nor set a parameter', async () => {
    for (const body of [
      `__proto__=x&${CC}`,
      `__proto__=x&__proto__=y&${CC}`,
      `constructor=x&${CC}`,
      `constructor=x&constructor=y&${CC}`,
      `hasOwnProperty=1&toString=2&valueOf=3&${CC}`,
      `__proto__%5Bgrant_type%5D=password&${CC}`,
    ]) {
      const res = await raw(body);
      // Unknown names are dropped, repeats refused; never a 500.
      expect([200, 400], `${body} ${JSON.stringify(res.body)}`).toContain(res.status);
      if (res.status === 400) refused(res);
    }
    // grant_type only through the prototype: none was sent.
    for (const body of ['__proto__=client_credentials&resource=rooms', 'constructor=client_credentials']) {
      refused(await raw(body));
    }
    refused(
      await raw('{"__proto__":{"grant_type":"client_credentials"},"resource":"rooms"}', 'application/json'),
    );
    refused(
      await raw('{"constructor":{"prototype":{"grant_type":"client_credentials"}}}', 'application/json'),
    );
    // And nothing leaked onto Object.prototype in this process.
    expect(({} as Record<string, unknown>)['grant_type']).toBeUndefined();
  });
});

describe('token endpoint form: malformed bytes and sizes', () => {
  it('malformed escapes, invalid UTF-8 and NUL bytes: a clean 400/401, never a 500', async () => {
    for (const body of [
      'grant_type=client_credentials%ZZ&resource=rooms',
      'grant_type=client_credentials%&resource=rooms',
      'grant_type=client_credentials%E0%A4&resource=rooms',
      'grant_type=client_credentials%C0%80&resource=rooms',
      'grant_type=client_credentials%FF&resource=rooms',
      'grant_type=client_credentials%ED%A0%80&resource=rooms',
      'grant_type=client_credentials%00&resource=rooms',
      `${CC}&scope=rooms:read%00`,
      `${CC}&scope=%ZZ`,
      `${CC}&resource=rooms%00`,
      'grant_type=client_credentials\u0000&resource=rooms',
      '%=%&=&&&&=client_credentials',
      '=&==&===',
      '&&&&',
    ]) {
      refused(await raw(body), [400, 401]);
    }
    refused(await raw(`${CC}&client_id=desk%00`), [400, 401]);
    // Invalid UTF-8 as raw bytes in the body.
    refused(
      await raw(Buffer.concat([Buffer.from(`${CC}&scope=`), Buffer.from([0xff, 0xfe, 0xc0])])),
      [400, 401],
    );
  });

  it('long values, many pairs and bodies over the limit: 400 or 413, and the server still serves', async () => {
    refused(await raw(`${CC}&scope=${'a'.repeat(5000)}`));
    refused(await raw(`grant_type=${'x'.repeat(300)}`));
    refused(await raw(`${CC}&${'resource=rooms&'.repeat(25)}`));
    // Pairs without '=' (once quadratic), a long run of '&', many distinct unknown names.
    refused(await raw(`${CC}&${'resource&'.repeat(6000)}`));
    refused(await raw(`${CC}&${'a&'.repeat(30_000)}`));
    expect((await raw(`${CC}${'&'.repeat(60_000)}`)).status).toBe(200);
    const many = Array.from({ length: 5000 }, (_, i) => `x${i}=1`).join('&');
    expect((await raw(`${CC}&${many}`)).status).toBe(200);
    const over = await raw(`${CC}&pad=${'p'.repeat(70_000)}`);
    expect(over.status).toBe(413);
    expect(over.body.error).toBeTypeOf('string');
    expect((await raw(CC)).status).toBe(200);
  });

  it('wrong content types: refused cleanly; JSON is taken', async () => {
    for (const type of [
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/x-www-form-urlencodedx',
    ]) {
      const res = await raw(CC, type);
      expect([400, 415], `${type} ${res.status}`).toContain(res.status);
      expect(res.body.error).toBeTypeOf('string');
    }
    // No content type at all (a byte body: fetch adds none).
    const none = await raw(Buffer.from(CC), null);
    expect(none.status).toBe(415);
    expect(none.body.error).toBe('invalid_request');
    // JSON is refused (RFC 6749 §3.2: a form), even when well-formed.
    refused(
      await raw(JSON.stringify({ grant_type: 'client_credentials', resource: 'rooms' }), 'application/json'),
    );
    refused(await raw('{"grant_type":', 'application/json'));
    refused(await raw('["grant_type","client_credentials"]', 'application/json'));
    refused(await raw('{"grant_type":["client_credentials"]}', 'application/json'));
    refused(await raw('{"grant_type":"client_credentials","resource":{"0":"rooms"}}', 'application/json'));
  });

  // A JSON body would be read last-member-wins (JSON.parse), while the same repeat in a form is
  // refused (RFC 6749 §3.1 "MUST NOT be included more than once"): an intermediary reading the first
  // occurrence would see another request than keycard. The endpoint takes forms only (§3.2).
  it('a JSON body with a repeated parameter is refused like a repeated form parameter', async () => {
    const res = await raw(
      '{"grant_type":"password","grant_type":"client_credentials","resource":"rooms"}',
      'application/json',
    );
    refused(res);
  });
});

describe('token endpoint: Basic credentials', () => {
  const esc = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');

  it('form-encoded client id and secret (RFC 6749 §2.3.1) are decoded, not compared raw', async () => {
    expect((await raw(CC, FORM, { authorization: basicOf(esc('desk'), secret) })).status).toBe(200);
    expect((await raw(CC, FORM, { authorization: basicOf('desk', esc(secret)) })).status).toBe(200);
    expect(
      (
        await raw(CC, FORM, {
          authorization: basicOf('de%73k', `${esc(secret.slice(0, 3))}${secret.slice(3)}`),
        })
      ).status,
    ).toBe(200);
  });

  it('wrong secret of the same length, unknown client, escapes that change the id: one invalid_client answer', async () => {
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const attempts = [
      basicOf('desk', flip(secret)),
      basicOf('desk', secret.slice(0, -1)),
      basicOf('nobody', secret),
      basicOf('de+sk', secret),
      basicOf('desk%20', secret),
      basicOf('desk%00', secret),
      basicOf('desk%3A', secret),
      basicOf(`desk%3A${secret}`, ''),
      basicOf('desk', `${secret}%3A`),
      basicOf('desk', `+${secret}`),
      basicOf('desk', `%ZZ${secret}`),
      basicOf('%ZZ', secret),
      `Basic ${Buffer.from('desk').toString('base64')}`,
      'Basic !!!',
    ];
    const answers = [];
    for (const authorization of attempts) {
      const res = await raw(CC, FORM, { authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.body.error).toBe('invalid_client');
      answers.push(res);
    }
    // Same length wrong secret and unknown client: indistinguishable answers.
    expect(answers[0]!.body).toEqual(answers[2]!.body);
    expect(answers[0]!.headers.get('www-authenticate')).toBe(answers[2]!.headers.get('www-authenticate'));
    // A client id in the body that differs from the Basic one.
    refused(await raw(`${CC}&client_id=other`), [400, 401]);
  });
});
