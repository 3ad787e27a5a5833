import { createDpopProof, generateKeyPair } from '@keycard/jwt';
import { it } from 'vitest';
import { createClient } from '../../src/index.js';
import { addUser, postForm, postJson, startServer } from '../helpers.js';

const out: string[] = [];
it('probe', async () => {
  try {
  const r = await startServer({});
  const r2 = await startServer({ databaseUrl: 'memory' });
  const ctx = r.server.services;
  const log = (name: string, res: { status: number; body?: unknown }) =>
    out.push(`${name}: ${res.status} ${String(JSON.stringify(res.body)).slice(0, 160)}`);
  for (const id of ['rooms', 'billing'])
    await ctx.storage.audiences.upsert({ id, name: id, scopes: ['x'], uri: `https://${id}.example/api`, createdAt: 0 });
  await ctx.storage.roles.upsert({ name: 'guest', scopes: ['x'], createdAt: 0 });
  await ctx.storage.roles.upsert({ name: 'manager', scopes: ['admin', 'x'], createdAt: 0 });
  ctx.directory.invalidate();
  await createClient(ctx, { id: 'desk', type: 'public', firstParty: true, grants: ['password', 'refresh_token'], audiences: ['keycard', 'rooms', 'billing'], scopes: ['admin', 'x'] });
  const svc = (await createClient(ctx, { id: 'svc', type: 'confidential', grants: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'], audiences: ['rooms'], scopes: ['x'], tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['x'] }] })).secret!;
  await addUser(r, 'admin', 'correct horse battery', ['manager']);
  await addUser(r, 'alice', 'correct horse battery', ['guest']);
  await addUser(r2, 'alice', 'correct horse battery', ['guest']);
  const adm = await postJson(`${r.url}/api/login`, { username: 'admin', password: 'correct horse battery', client_id: 'desk' });
  let A = { authorization: `Bearer ${adm.body.access_token}` };
  const relog = async () => { const a = await postJson(`${r.url}/api/login`, { username: 'admin', password: 'correct horse battery', client_id: 'desk' }); A = { authorization: `Bearer ${a.body.access_token}` }; return a; };
  const post = async (p: string, headers = A) => { const res = await fetch(`${r.url}${p}`, { method: 'POST', headers }); const t = await res.text(); return { status: res.status, body: t ? JSON.parse(t) : undefined }; };
  log('revoke nonexistent', await post('/api/admin/keys/nope/revoke'));
  log('revoke weird', await post('/api/admin/keys/%2e%2e/revoke'));
  for (let i = 0; i < 4; i++) {
    log(`relog ${i}`, await relog());
    const keys = await (await fetch(`${r.url}/api/admin/keys`, { headers: A })).json();
    const cur = keys.keys.find((k: { state: string }) => k.state === 'current').kid;
    log(`revoke current ${i}`, await post(`/api/admin/keys/${cur}/revoke`));
  }
  await relog();
  const keys = await (await fetch(`${r.url}/api/admin/keys`, { headers: A })).json();
  out.push(JSON.stringify(keys).slice(0, 300));
  const conc = await Promise.all([post('/api/admin/keys/rotate'), (async () => { const k = await (await fetch(`${r.url}/api/admin/keys`, { headers: A })).json(); return post(`/api/admin/keys/${k.keys?.find((x: { state: string }) => x.state === 'current')?.kid}/revoke`); })(), post('/api/admin/keys/rotate')]);
  conc.forEach((c, i) => log(`conc ${i}`, c));
  const revokedOk: string[] = [];
  for (let round = 0; round < 8; round++) {
    await relog();
    const k = await (await fetch(`${r.url}/api/admin/keys`, { headers: A })).json();
    const cur = k.keys.find((x: { state: string }) => x.state === 'current').kid;
    const nxt = k.keys.find((x: { state: string }) => x.state === 'next').kid;
    const target = round % 2 === 0 ? cur : nxt;
    const res = await Promise.all([post('/api/admin/keys/rotate'), post(`/api/admin/keys/${target}/revoke`), round % 3 === 0 ? post(`/api/admin/keys/${target}/revoke`) : post('/api/admin/keys/rotate')]);
    out.push(`round ${round} ${res.map((x) => `${x.status}${x.status >= 300 ? x.body?.error?.code : ''}`).join(' ')}`);
    if (res[1].status === 200) revokedOk.push(target);
  }
  const jwks = await (await fetch(`${r.url}/.well-known/jwks.json`)).json();
  const kids = jwks.keys.map((x: { kid: string }) => x.kid);
  out.push(`resurrected: ${revokedOk.filter((k) => kids.includes(k)).join(',') || 'none'}`);
  await relog();
  const fin = await (await fetch(`${r.url}/api/admin/keys`, { headers: A })).json();
  out.push(`final states ${fin.keys.map((x: { state: string }) => x.state).join(',')}`);
  await relog();
  const alice = await postJson(`${r.url}/api/login`, { username: 'alice', password: 'correct horse battery', client_id: 'desk', resource: 'rooms' });
  log('alice login after revocations', alice);
  const ready = await fetch(`${r.url}/readyz`); out.push(`ready ${ready.status}`);
  const ex = (extra: Record<string, string>) => postForm(`${r.url}/oauth/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', client_id: 'svc', client_secret: svc, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', audience: 'billing', ...extra });
  log('exchange ok', await ex({ subject_token: alice.body.access_token }));
  const other = await postJson(`${r2.url}/api/login`, { username: 'alice', password: 'correct horse battery' });
  log('exchange other issuer', await ex({ subject_token: other.body.access_token }));
  log('exchange garbage', await ex({ subject_token: 'a.b.c' }));
  log('exchange keycard card', await ex({ subject_token: adm.body.access_token }));
  const cc = await postForm(`${r.url}/oauth/token`, { grant_type: 'client_credentials', client_id: 'svc', client_secret: svc });
  log('exchange client card', await ex({ subject_token: cc.body.access_token }));
  const exd = await ex({ subject_token: alice.body.access_token });
  log('exchange exchanged (billing->?)', await ex({ subject_token: exd.body.access_token }));
  log('exchange resource uri', await ex({ subject_token: alice.body.access_token, audience: '', resource: 'https://billing.example/api' }));
  log('exchange resource uri slash', await ex({ subject_token: alice.body.access_token, audience: '', resource: 'https://billing.example/api/' }));
  log('exchange resource uri case', await ex({ subject_token: alice.body.access_token, audience: '', resource: 'https://BILLING.example/api' }));
  log('exchange scope wider', await ex({ subject_token: alice.body.access_token, scope: 'admin' }));
  log('basic bad pct', await postForm(`${r.url}/oauth/token`, { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('svc:%zz').toString('base64')}` }));
  log('basic empty', await postForm(`${r.url}/oauth/token`, { grant_type: 'client_credentials' }, { authorization: 'Basic' }));
  log('introspect hint weird', await postForm(`${r.url}/oauth/introspect`, { token: alice.body.access_token, token_type_hint: 'x'.repeat(5000), client_id: 'svc', client_secret: svc }));
  log('introspect no token', await postForm(`${r.url}/oauth/introspect`, { client_id: 'svc', client_secret: svc }));
  log('token json array aud', await postJson(`${r.url}/oauth/token`, { grant_type: 'client_credentials', client_id: 'svc', client_secret: svc, audience: [] }));
  log('token json obj', await postJson(`${r.url}/oauth/token`, { grant_type: 'client_credentials', client_id: { a: 1 }, client_secret: svc }));
  log('token json null', await postJson(`${r.url}/oauth/token`, null));
  log('token resource frag', await postForm(`${r.url}/oauth/token`, { grant_type: 'client_credentials', client_id: 'svc', client_secret: svc, resource: 'https://rooms.example/api#x' }));
  log('revocations after huge', await (async () => { const res = await fetch(`${r.url}/revocations?after=99999999999999999999`); return { status: res.status, body: await res.text() }; })());
  log('stream lei bad', await (async () => { const res = await fetch(`${r.url}/revocations/stream`, { headers: { 'last-event-id': '-1' } }); return { status: res.status, body: await res.text() }; })());
  const key = await generateKeyPair('ES256');
  const proof = createDpopProof(key, { method: 'POST', url: `${r.url}/api/login` });
  log('dpop twice header', await postJson(`${r.url}/api/login`, { username: 'alice', password: 'correct horse battery', client_id: 'desk' }, { dpop: `${proof}, ${proof}` }));
  log('dpop junk', await postJson(`${r.url}/api/login`, { username: 'alice', password: 'correct horse battery', client_id: 'desk' }, { dpop: 'x'.repeat(9000) }));
  log('metrics', await (async () => { const res = await fetch(`${r.url}/metrics`, { headers: { authorization: 'Bearer ' } }); return { status: res.status }; })());
  log('PUT token', await (async () => { const res = await fetch(`${r.url}/oauth/token`, { method: 'PUT' }); return { status: res.status, body: res.headers.get('allow') }; })());
  log('admin with client card', await (async () => { const c = await postForm(`${r.url}/oauth/token`, { grant_type: 'client_credentials', client_id: 'svc', client_secret: svc }); const res = await fetch(`${r.url}/api/me`, { headers: { authorization: `Bearer ${c.body.access_token}` } }); return { status: res.status }; })());
  } finally { console.log(out.join('\n')); }
}, 60000);
