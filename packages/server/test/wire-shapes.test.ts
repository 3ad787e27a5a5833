// Real answers of the account and admin API checked against the records of @keycard/protocol:
// exactly the fields the type names (so nothing internal leaks), and every time in epoch seconds.
import type {
  AccountConsent,
  AccountSession,
  AdminAudience,
  AdminClient,
  AdminKey,
  AdminRole,
  AdminSession,
  AdminUser,
  ApiTokenSet,
  AuditEntry,
  DiscoveryDocument,
  Me,
  OidcDiscoveryFields,
} from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, postJson, type Running, startServer, testClock } from './helpers.js';
import { fakeWebApp } from './support/authorize-flow.js';

const PASSWORD = 'correct horse battery';
// A time with milliseconds, so a millisecond value can never pass for seconds.
const START = Date.UTC(2030, 0, 1, 12, 0, 0, 789);
const START_S = Math.floor(START / 1000);

/** Every field of `T`, listed once; the compiler checks none is missing or extra. */
const fieldsOf = <T>(fields: Record<keyof T, true>) => Object.keys(fields).sort();

const FIELDS = {
  user: fieldsOf<AdminUser>({
    id: true,
    username: true,
    roles: true,
    disabled: true,
    claims: true,
    email: true,
    emailVerified: true,
    createdAt: true,
    updatedAt: true,
  }),
  client: fieldsOf<AdminClient>({
    id: true,
    name: true,
    type: true,
    hasSecret: true,
    firstParty: true,
    grants: true,
    audiences: true,
    scopes: true,
    multiAudience: true,
    requireDpop: true,
    tokenExchange: true,
    redirectUris: true,
    postLogoutRedirectUris: true,
    backchannelLogoutUri: true,
    jwks: true,
    createdAt: true,
  }),
  audience: fieldsOf<AdminAudience>({ id: true, name: true, scopes: true, uri: true, createdAt: true }),
  role: fieldsOf<AdminRole>({ name: true, scopes: true, require_mfa: true, createdAt: true }),
  key: fieldsOf<AdminKey>({
    kid: true,
    alg: true,
    state: true,
    createdAt: true,
    activatedAt: true,
    retiredAt: true,
    removeAfter: true,
  }),
  adminSession: fieldsOf<AdminSession>({
    id: true,
    userId: true,
    username: true,
    clientId: true,
    audiences: true,
    scopes: true,
    createdAt: true,
    lastUsedAt: true,
    expiresAt: true,
    ip: true,
    userAgent: true,
    dpopBound: true,
  }),
  accountSession: fieldsOf<AccountSession>({
    id: true,
    clientId: true,
    createdAt: true,
    lastUsedAt: true,
    expiresAt: true,
    ip: true,
    userAgent: true,
    current: true,
    offline: true,
  }),
  accountConsent: fieldsOf<AccountConsent>({
    clientId: true,
    clientName: true,
    scopes: true,
    audiences: true,
    createdAt: true,
    updatedAt: true,
  }),
  audit: fieldsOf<AuditEntry>({
    id: true,
    at: true,
    type: true,
    actor: true,
    subject: true,
    ip: true,
    userAgent: true,
    detail: true,
  }),
  me: fieldsOf<Me>({
    id: true,
    username: true,
    roles: true,
    claims: true,
    session_id: true,
    scope: true,
    aud: true,
    email: true,
    email_verified: true,
  }),
};

const keys = (value: object) => Object.keys(value).sort();

describe('wire shapes of /api/* and /api/admin/*', () => {
  const clock = testClock(START);
  let r: Running;
  let token: string;
  let sessionId: string;
  let bossId: string;

  const call = async (path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${r.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    expect(res.status, text).toBeLessThan(300);
    // biome-ignore lint/suspicious/noExplicitAny: JSON checked field by field below
    return text === '' ? undefined : (JSON.parse(text) as any);
  };

  let web: ReturnType<typeof fakeWebApp>;
  beforeAll(async () => {
    // Served pages (a stand-in web app), so discovery carries the authorization endpoint's fields too.
    web = fakeWebApp();
    r = await startServer({ ui: { staticDir: web.dir } }, { clock });
    bossId = (await addUser(r, 'boss', PASSWORD, ['manager'])).id;
    clock.advance(61_000); // sign in a minute later: created and last used differ
    const login = await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD });
    const tokens = login.body as ApiTokenSet;
    token = tokens.access_token;
    sessionId = tokens.session_id;
  });
  afterAll(async () => {
    await r.close();
    web.remove();
  });

  it('users: the record and nothing else (no hash), times in seconds', async () => {
    const created = (await call('/api/admin/users', 'POST', {
      username: 'ann',
      password: PASSWORD,
    })) as AdminUser;
    expect(keys(created)).toEqual(FIELDS.user);
    expect(created.createdAt).toBe(START_S + 61);
    const page = await call('/api/admin/users');
    expect(keys(page)).toEqual(['next', 'users']);
    for (const user of page.users) expect(keys(user)).toEqual([...FIELDS.user, 'mfa'].sort());
    expect(page.users.find((u: AdminUser) => u.username === 'boss').createdAt).toBe(START_S);
  });

  it('clients: the secret once, under `secret`; never a hash', async () => {
    const created = await call('/api/admin/clients', 'POST', {
      id: 'door',
      type: 'confidential',
      grants: ['client_credentials'],
    });
    expect(keys(created)).toEqual([...FIELDS.client, 'secret'].sort());
    expect(typeof created.secret).toBe('string');
    expect(created.createdAt).toBe(START_S + 61);
    const page = await call('/api/admin/clients');
    expect(keys(page)).toEqual(['clients', 'next']);
    for (const client of page.clients) expect(keys(client)).toEqual(FIELDS.client);
  });

  it('audiences, roles and keys', async () => {
    expect(keys(await call('/api/admin/audiences', 'POST', { id: 'rooms', scopes: ['rooms:read'] }))).toEqual(
      FIELDS.audience,
    );
    const audiences = await call('/api/admin/audiences');
    for (const a of audiences.audiences) expect(keys(a)).toEqual(FIELDS.audience);
    const role = await call('/api/admin/roles', 'POST', { name: 'porter', scopes: ['rooms:read'] });
    expect(keys(role)).toEqual(FIELDS.role);
    expect(role.createdAt).toBe(START_S + 61);
    for (const x of (await call('/api/admin/roles')).roles) expect(keys(x)).toEqual(FIELDS.role);
    const { keys: signingKeys } = await call('/api/admin/keys');
    expect(signingKeys.length).toBeGreaterThan(0);
    for (const key of signingKeys as AdminKey[]) {
      expect(keys(key)).toEqual(FIELDS.key);
      expect(key.createdAt).toBe(START_S);
      if (key.state === 'current') expect(key.activatedAt).toBe(START_S);
    }
  });

  it('sessions: admin list without internal fields; own list; seconds', async () => {
    const admin = await call('/api/admin/sessions');
    expect(keys(admin)).toEqual(['next', 'sessions']);
    const mine = (admin.sessions as AdminSession[]).find((s) => s.id === sessionId);
    expect(mine).toBeDefined();
    expect(keys(mine!)).toEqual(FIELDS.adminSession);
    expect(mine).toMatchObject({ username: 'boss', createdAt: START_S + 61, dpopBound: false });
    expect(mine!.expiresAt).toBeGreaterThan(START_S + 61);
    expect(mine!.expiresAt).toBeLessThan(START_S + 10 * 365 * 86_400); // seconds, not ms

    const own = await call('/api/sessions');
    expect(keys(own)).toEqual(['sessions']);
    expect(keys(own.sessions[0])).toEqual(FIELDS.accountSession);
    expect(own.sessions[0]).toMatchObject({
      id: sessionId,
      current: true,
      offline: false,
      createdAt: START_S + 61,
    });
    expect(keys(await call('/api/me'))).toEqual(FIELDS.me);
  });

  it('consents: what the caller allowed, client name, times in seconds', async () => {
    await r.server.services.storage.consents.put({
      userId: bossId,
      clientId: 'door',
      scopes: ['rooms:read'],
      audiences: ['rooms'],
      createdAt: clock(),
      updatedAt: clock(),
    });
    const list = await call('/api/account/consents');
    expect(keys(list)).toEqual(['consents']);
    expect(keys(list.consents[0])).toEqual(FIELDS.accountConsent);
    expect(list.consents[0]).toMatchObject({ clientId: 'door', clientName: 'door', createdAt: START_S + 61 });
  });

  it('audit: entries in seconds; since (inclusive) and until (exclusive) are seconds', async () => {
    clock.advance(10_000);
    await call('/api/admin/roles', 'POST', { name: 'late', scopes: [] });
    const all = await call('/api/admin/audit?type=admin.');
    expect(keys(all)).toEqual(['events', 'next']);
    for (const e of all.events) expect(keys(e)).toEqual(FIELDS.audit);
    const late = (all.events as AuditEntry[]).find((e) => e.subject === 'late');
    expect(late?.at).toBe(START_S + 71);

    const since = await call(`/api/admin/audit?type=admin.&since=${START_S + 71}`);
    expect((since.events as AuditEntry[]).map((e) => e.at)).toEqual([START_S + 71]);
    const until = await call(`/api/admin/audit?type=admin.&until=${START_S + 71}`);
    expect((until.events as AuditEntry[]).every((e) => e.at < START_S + 71)).toBe(true);
    expect(until.events.length).toBe(all.events.length - 1);
  });

  it('discovery names every field of the type', async () => {
    const doc = (await (
      await fetch(`${r.url}/.well-known/openid-configuration`)
    ).json()) as DiscoveryDocument & OidcDiscoveryFields;
    expect(keys(doc)).toEqual(
      fieldsOf<DiscoveryDocument & OidcDiscoveryFields>({
        issuer: true,
        jwks_uri: true,
        token_endpoint: true,
        revocation_endpoint: true,
        introspection_endpoint: true,
        grant_types_supported: true,
        response_types_supported: true,
        token_endpoint_auth_methods_supported: true,
        revocation_endpoint_auth_methods_supported: true,
        introspection_endpoint_auth_methods_supported: true,
        scopes_supported: true,
        access_token_signing_alg_values_supported: true,
        dpop_signing_alg_values_supported: true,
        keycard_revocations_endpoint: true,
        keycard_revocations_stream_endpoint: true,
        userinfo_endpoint: true,
        id_token_signing_alg_values_supported: true,
        subject_types_supported: true,
        claims_supported: true,
        acr_values_supported: true,
        authorization_endpoint: true,
        response_modes_supported: true,
        code_challenge_methods_supported: true,
        authorization_response_iss_parameter_supported: true,
        token_endpoint_auth_signing_alg_values_supported: true,
        revocation_endpoint_auth_signing_alg_values_supported: true,
        introspection_endpoint_auth_signing_alg_values_supported: true,
        prompt_values_supported: true,
        end_session_endpoint: true,
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
        request_parameter_supported: true,
        request_uri_parameter_supported: true,
        claims_parameter_supported: true,
      }),
    );
  });
});
