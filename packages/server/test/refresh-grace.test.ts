import { createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addUser, postJson, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';

describe('refresh grace window: audited, and answered only to the same client and key', () => {
  const clock = testClock();
  let r: Running;
  let key: PrivateKey;
  let other: PrivateKey;
  const proof = (k: PrivateKey, path: string) =>
    createDpopProof(k, { method: 'POST', url: `${r.url}${path}`, clock });
  const refresh = (rt: string, clientId: string, dpop?: string) =>
    postJson(`${r.url}/api/refresh`, { refresh_token: rt, client_id: clientId }, dpop ? { dpop } : {});
  const graceEvents = async () => {
    await r.server.services.audit.flush();
    return r.server.services.storage.audit.list({ type: 'token.refresh_grace', limit: 50 });
  };

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' }, { clock, webClientDpop: 'as-seeded' });
    key = await generateKeyPair('ES256');
    other = await generateKeyPair('ES256');
    await addUser(r, 'alice', PASSWORD);
    // A second public client, to present a token of another client's session.
    await createClient(r.server.services, {
      id: 'kiosk',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard'],
    });
  });
  afterAll(() => r.close());

  it('a duplicate within the window gets the same successor and writes a token.refresh_grace event (no secret)', async () => {
    const signedIn = await postJson(`${r.url}/api/login`, {
      username: 'alice',
      password: PASSWORD,
      client_id: 'keycard-cli',
    });
    const rt = signedIn.body.refresh_token as string;
    const first = await refresh(rt, 'keycard-cli');
    clock.advance(2_000);
    const duplicate = await refresh(rt, 'keycard-cli');
    expect(duplicate.status).toBe(200);
    expect(duplicate.body.refresh_token).toBe(first.body.refresh_token);
    const events = await graceEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      subject: signedIn.body.session_id,
      detail: { clientId: 'keycard-cli' },
    });
    const text = JSON.stringify(events);
    for (const secret of [rt, first.body.refresh_token, first.body.access_token, duplicate.body.access_token])
      expect(text).not.toContain(secret);
  });

  it('another client presenting the token gets invalid_grant, not the successor', async () => {
    const signedIn = await postJson(`${r.url}/api/login`, {
      username: 'alice',
      password: PASSWORD,
      client_id: 'keycard-cli',
    });
    const rt = signedIn.body.refresh_token as string;
    const first = await refresh(rt, 'keycard-cli');
    const stolen = await refresh(rt, 'kiosk');
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('ERR_INVALID_GRANT');
    expect(JSON.stringify(stolen.body)).not.toContain(first.body.refresh_token);
    expect((await refresh(first.body.refresh_token, 'keycard-cli')).status).toBe(200); // the holder goes on
  });

  it('a DPoP-bound session answers the duplicate only with a proof of the same key', async () => {
    const signedIn = await postJson(
      `${r.url}/api/login`,
      { username: 'alice', password: PASSWORD },
      { dpop: proof(key, '/api/login') },
    );
    const rt = signedIn.body.refresh_token as string;
    const first = await refresh(rt, 'keycard-web', proof(key, '/api/refresh'));
    expect(first.status).toBe(200);
    const before = (await graceEvents()).length;
    for (const dpop of [undefined, proof(other, '/api/refresh')]) {
      const res = await refresh(rt, 'keycard-web', dpop);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('ERR_INVALID_DPOP_PROOF');
      expect(JSON.stringify(res.body)).not.toContain(first.body.refresh_token);
    }
    expect(await graceEvents()).toHaveLength(before);
    const same = await refresh(rt, 'keycard-web', proof(key, '/api/refresh'));
    expect(same.status).toBe(200);
    expect(same.body.refresh_token).toBe(first.body.refresh_token);
    expect(same.body.token_type).toBe('DPoP');
    expect(await graceEvents()).toHaveLength(before + 1);
  });
});

describe('the grace window never outlives the session', () => {
  const clock = testClock();
  let r: Running;
  beforeAll(async () => {
    r = await startServer(
      { databaseUrl: 'memory', sessions: { absoluteTtl: 60, refreshIdleTtl: 60, refreshGraceSeconds: 10 } },
      { clock },
    );
    await addUser(r, 'alice', PASSWORD);
  });
  afterAll(() => r.close());

  it('a duplicate inside the window but after the absolute expiry gets invalid_grant, not tokens', async () => {
    const signedIn = await postJson(`${r.url}/api/login`, {
      username: 'alice',
      password: PASSWORD,
      client_id: 'keycard-cli',
    });
    const rt = signedIn.body.refresh_token as string;
    clock.advance(55_000);
    const first = await postJson(`${r.url}/api/refresh`, { refresh_token: rt, client_id: 'keycard-cli' });
    expect(first.status).toBe(200);
    clock.advance(7_000); // 62 s after sign-in: past the 60 s session, 7 s into the 10 s window
    const duplicate = await postJson(`${r.url}/api/refresh`, { refresh_token: rt, client_id: 'keycard-cli' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error.code).toBe('ERR_INVALID_GRANT');
    const successor = await postJson(`${r.url}/api/refresh`, {
      refresh_token: first.body.refresh_token,
      client_id: 'keycard-cli',
    });
    expect(successor.body.error?.code).toBe('ERR_INVALID_GRANT');
  });
});
