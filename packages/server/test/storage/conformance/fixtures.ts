import type {
  AuditEvent,
  ClientRecord,
  EmailTokenRecord,
  NewAuthorizationCode,
  PasskeyRecord,
  RefreshTokenRecord,
  SessionRecord,
  SigningKeyRecord,
  Storage,
  TotpRecord,
  UserRecord,
} from '../../../src/storage/index.js';

/** Hands each test a fresh storage; set by describeStorageConformance's beforeEach. */
export interface Ctx {
  storage: () => Storage;
}

export function user(id: string, overrides: Partial<UserRecord> = {}): UserRecord {
  const username = overrides.username ?? `User-${id}`;
  return {
    id,
    username,
    usernameKey: username.normalize('NFC').toLowerCase(),
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    roles: ['guest'],
    disabled: false,
    claims: { room: '101', nested: { floor: 1 } },
    email: null,
    emailKey: null,
    emailVerifiedAt: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

export function client(id: string, overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id,
    name: `Client ${id}`,
    type: 'confidential',
    secretHash: 'a'.repeat(64),
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['rooms'],
    scopes: ['rooms:read'],
    multiAudience: false,
    requireDpop: false,
    tokenExchange: [],
    redirectUris: [],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    jwks: null,
    createdAt: 1_000,
    ...overrides,
  };
}

export function session(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    userId: 'u1',
    clientId: 'web',
    audiences: ['rooms'],
    scopes: ['rooms:read'],
    createdAt: 1_000,
    lastUsedAt: 1_000,
    expiresAt: 100_000,
    revokedAt: null,
    revokedReason: null,
    ip: '127.0.0.1',
    userAgent: 'vitest',
    dpopJkt: null,
    browserSessionId: null,
    authTime: null,
    amr: null,
    offline: false,
    ...overrides,
  };
}

export function refreshToken(hash: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    hash,
    sessionId: 's1',
    createdAt: 1_000,
    expiresAt: 50_000,
    usedAt: null,
    replacedBy: null,
    successorSealed: null,
    ...overrides,
  };
}

export function signingKey(kid: string, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid,
    alg: 'ES256',
    state: 'next',
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid },
    privateSealed: `sealed:${kid}`,
    createdAt: 1_000,
    activatedAt: null,
    retiredAt: null,
    removeAfter: null,
    ...overrides,
  };
}

export function auditEvent(at: number, type: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at,
    type,
    actor: 'u1',
    subject: 's1',
    ip: null,
    userAgent: null,
    detail: { n: at },
    ...overrides,
  };
}

/** Hex-looking, unique per call within a test: stands in for SHA-256 hashes. */
export function hash(label: string): string {
  return Buffer.from(label).toString('hex').padEnd(64, '0');
}

export function authorizationCode(
  codeHash: string,
  overrides: Partial<NewAuthorizationCode> = {},
): NewAuthorizationCode {
  return {
    codeHash,
    clientId: 'spa',
    redirectUri: 'https://app.example/callback',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    userId: 'u1',
    sid: 'bs1',
    scopes: ['openid', 'rooms:read'],
    audiences: ['rooms'],
    nonce: 'n-0S6_WzA2Mj',
    authTime: 900,
    amr: ['pwd'],
    dpopJkt: null,
    createdAt: 1_000,
    expiresAt: 61_000,
    ...overrides,
  };
}

/** A pending (unconfirmed) TOTP enrolment. */
export function totp(userId: string, overrides: Partial<TotpRecord> = {}): TotpRecord {
  return {
    userId,
    secretSealed: `sealed-totp:${userId}`,
    createdAt: 1_000,
    confirmedAt: null,
    lastUsedStep: null,
    ...overrides,
  };
}

export function passkey(id: string, overrides: Partial<PasskeyRecord> = {}): PasskeyRecord {
  return {
    id,
    userId: 'u1',
    credentialId: `cred-${id}`,
    publicKey: 'pQECAyYgASFYIPr9VqzAw1_sVEcmaN6u7yUDwrD5Bvu9vw8Eq1ShV7oJ',
    counter: 0,
    transports: ['internal', 'hybrid'],
    name: `Passkey ${id}`,
    aaguid: '00000000-0000-0000-0000-000000000000',
    backedUp: true,
    deviceType: 'multiDevice',
    createdAt: 1_000,
    lastUsedAt: null,
    ...overrides,
  };
}

export function emailToken(tokenHash: string, overrides: Partial<EmailTokenRecord> = {}): EmailTokenRecord {
  return {
    hash: tokenHash,
    kind: 'password_reset',
    userId: 'u1',
    email: 'alice@example.com',
    createdAt: 1_000,
    expiresAt: 1_801_000,
    consumedAt: null,
    ...overrides,
  };
}
