/** One environment variable and the config path it sets. */
export interface EnvOption {
  name: string;
  path: string[];
  kind: 'string' | 'number' | 'boolean' | 'list' | 'hops';
}

/** Every `KEYCARD_*` variable the server reads (README.md documents each). */
export const ENV_OPTIONS: readonly EnvOption[] = [
  { name: 'KEYCARD_ISSUER', path: ['issuer'], kind: 'string' },
  { name: 'KEYCARD_PORT', path: ['port'], kind: 'number' },
  { name: 'KEYCARD_HOST', path: ['host'], kind: 'string' },
  { name: 'KEYCARD_DATA_DIR', path: ['dataDir'], kind: 'string' },
  { name: 'KEYCARD_MASTER_KEY', path: ['masterKey'], kind: 'string' },
  { name: 'KEYCARD_DATABASE_URL', path: ['databaseUrl'], kind: 'string' },
  { name: 'KEYCARD_SQLITE_SYNCHRONOUS', path: ['storage', 'sqliteSynchronous'], kind: 'string' },
  { name: 'KEYCARD_STORAGE_TIMEOUT_MS', path: ['storage', 'timeoutMs'], kind: 'number' },
  { name: 'KEYCARD_LOG_LEVEL', path: ['logLevel'], kind: 'string' },
  { name: 'KEYCARD_TRUST_PROXY', path: ['trustProxy'], kind: 'hops' },
  { name: 'KEYCARD_BODY_LIMIT', path: ['bodyLimit'], kind: 'number' },
  { name: 'KEYCARD_ACCESS_TOKEN_TTL', path: ['tokens', 'accessTokenTtl'], kind: 'number' },
  { name: 'KEYCARD_ID_TOKEN_TTL', path: ['tokens', 'idTokenTtl'], kind: 'number' },
  { name: 'KEYCARD_CODE_TTL', path: ['authorize', 'codeTtl'], kind: 'number' },
  { name: 'KEYCARD_BROWSER_SESSION_TTL', path: ['authorize', 'browserSessionTtl'], kind: 'number' },
  { name: 'KEYCARD_SIGNING_ALG', path: ['tokens', 'algorithm'], kind: 'string' },
  { name: 'KEYCARD_REFRESH_IDLE_TTL', path: ['sessions', 'refreshIdleTtl'], kind: 'number' },
  { name: 'KEYCARD_SESSION_TTL', path: ['sessions', 'absoluteTtl'], kind: 'number' },
  { name: 'KEYCARD_REFRESH_GRACE', path: ['sessions', 'refreshGraceSeconds'], kind: 'number' },
  { name: 'KEYCARD_KEY_ROTATION_INTERVAL', path: ['keys', 'rotationInterval'], kind: 'number' },
  { name: 'KEYCARD_REGISTRATION', path: ['registration', 'enabled'], kind: 'boolean' },
  { name: 'KEYCARD_THROTTLE', path: ['throttle', 'enabled'], kind: 'boolean' },
  { name: 'KEYCARD_CORS_ORIGINS', path: ['cors', 'origins'], kind: 'list' },
  { name: 'KEYCARD_UI', path: ['ui', 'enabled'], kind: 'boolean' },
  { name: 'KEYCARD_UI_DIR', path: ['ui', 'staticDir'], kind: 'string' },
  { name: 'KEYCARD_AUDIT_RETENTION_DAYS', path: ['audit', 'retentionDays'], kind: 'number' },
  { name: 'KEYCARD_REDIS_URL', path: ['redis', 'url'], kind: 'string' },
  { name: 'KEYCARD_REDIS_KEY_PREFIX', path: ['redis', 'keyPrefix'], kind: 'string' },
  { name: 'KEYCARD_REDIS_DEGRADED_LIMIT_DIVISOR', path: ['redis', 'degradedLimitDivisor'], kind: 'number' },
  { name: 'KEYCARD_METRICS', path: ['metrics', 'enabled'], kind: 'boolean' },
  { name: 'KEYCARD_METRICS_TOKEN', path: ['metrics', 'token'], kind: 'string' },
  { name: 'KEYCARD_MAIL_HOST', path: ['mail', 'smtp', 'host'], kind: 'string' },
  { name: 'KEYCARD_MAIL_PORT', path: ['mail', 'smtp', 'port'], kind: 'number' },
  { name: 'KEYCARD_MAIL_SECURE', path: ['mail', 'smtp', 'secure'], kind: 'boolean' },
  { name: 'KEYCARD_MAIL_USER', path: ['mail', 'smtp', 'user'], kind: 'string' },
  { name: 'KEYCARD_MAIL_PASSWORD', path: ['mail', 'smtp', 'password'], kind: 'string' },
  { name: 'KEYCARD_MAIL_FROM', path: ['mail', 'from'], kind: 'string' },
  { name: 'KEYCARD_MAIL_TIMEOUT_MS', path: ['mail', 'timeoutMs'], kind: 'number' },
  { name: 'KEYCARD_SIGNUP', path: ['accounts', 'signup'], kind: 'boolean' },
];

/** Env values as typed config fragments; a malformed number or boolean is left as a string so the schema names it. */
export function configFromEnv(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const option of ENV_OPTIONS) {
    const raw = env[option.name];
    if (raw === undefined || raw === '') continue;
    setPath(out, option.path, convert(raw, option.kind));
  }
  return out;
}

function convert(raw: string, kind: EnvOption['kind']): unknown {
  switch (kind) {
    case 'number':
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case 'hops':
      // true/false, how many proxies (a number above 1), or their addresses (comma-separated).
      if (/^([2-9]|10)$/.test(raw)) return Number(raw);
      return /^(true|false|0|1)$/.test(raw) ? convert(raw, 'boolean') : convert(raw, 'list');
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    let child = node[key];
    if (typeof child !== 'object' || child === null) {
      child = {};
      node[key] = child;
    }
    node = child as Record<string, unknown>;
  }
}
