import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, storageConfigFor } from '../src/index.js';

describe('configuration', () => {
  it('fills safe defaults and freezes the result', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      dataDir: '.keycard',
      tokens: { accessTokenTtl: 600, algorithm: 'ES256' },
      sessions: { refreshIdleTtl: 1_209_600, absoluteTtl: 2_592_000, refreshGraceSeconds: 10 },
      passwords: { memoryCost: 19_456, timeCost: 2, parallelism: 1 },
      registration: { enabled: false },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.tokens)).toBe(true);
  });

  it.each([
    [{ port: 'x' }, 'port'],
    [{ tokens: { accessTokenTtl: 5 } }, 'tokens.accessTokenTtl'],
    [{ passwords: { memoryCost: 4096 } }, 'passwords.memoryCost'],
    [{ passwords: { timeCost: 1 } }, 'passwords.timeCost'],
    [{ tokens: { algorithm: 'HS256' } }, 'tokens.algorithm'],
    [{ issuer: 'ftp://x' }, 'issuer'],
    [{ masterKey: 'short' }, 'masterKey'],
    [{ portt: 4000 }, '(root)'],
    [{ ui: { doors: [{ id: 'pool', name: 'Pool', url: 'not a url' }] } }, 'ui.doors.0.url'],
  ])('names the bad field: %j', (input, field) => {
    try {
      parseConfig(input);
      throw new Error('accepted');
    } catch (error) {
      expect((error as { code: string }).code).toBe('ERR_CONFIG_INVALID');
      expect((error as Error).message).toContain(`${field}:`);
    }
  });

  it('reads KEYCARD_* variables over the file, and overrides over both', () => {
    const config = loadConfig({
      env: {
        KEYCARD_PORT: '4100',
        KEYCARD_ACCESS_TOKEN_TTL: '300',
        KEYCARD_REGISTRATION: 'true',
        KEYCARD_CORS_ORIGINS: 'https://a.example, https://b.example',
      },
      overrides: { host: '0.0.0.0' },
    });
    expect(config.port).toBe(4100);
    expect(config.host).toBe('0.0.0.0');
    expect(config.tokens.accessTokenTtl).toBe(300);
    expect(config.registration.enabled).toBe(true);
    expect(config.cors.origins).toEqual(['https://a.example', 'https://b.example']);
    expect(() => loadConfig({ env: { KEYCARD_PORT: 'eighty' } })).toThrow(/port/);
    expect(() => loadConfig({ env: { KEYCARD_THROTTLE: 'maybe' } })).toThrow(/throttle\.enabled/);
  });

  it('SQLite durability: NORMAL by default, FULL through storage.sqliteSynchronous or KEYCARD_SQLITE_SYNCHRONOUS', () => {
    expect(storageConfigFor(parseConfig({}))).toMatchObject({ driver: 'sqlite', synchronous: 'normal' });
    const full = loadConfig({ env: { KEYCARD_SQLITE_SYNCHRONOUS: 'full' } });
    expect(storageConfigFor(full)).toMatchObject({ driver: 'sqlite', synchronous: 'full' });
    expect(() => parseConfig({ storage: { sqliteSynchronous: 'off' } })).toThrow(
      /storage\.sqliteSynchronous/,
    );
  });

  it('metrics are closed by default; KEYCARD_METRICS_TOKEN opens them to a scraper; throttle defaults', () => {
    const config = parseConfig({});
    expect(config.metrics.token).toBeUndefined();
    expect(config.throttle).toMatchObject({
      accountSourceFailures: { limit: 5, windowSeconds: 900 },
      sourceFailures: { limit: 50, windowSeconds: 3600 },
      accountFailures: { limit: 10, windowSeconds: 900 },
      accountFailuresLong: { limit: 100, windowSeconds: 86_400 },
      accountDelayMs: 1000,
      familiarSeconds: 2_592_000,
    });
    const token = 'k'.repeat(40);
    expect(loadConfig({ env: { KEYCARD_METRICS_TOKEN: token } }).metrics.token).toBe(token);
    expect(() => parseConfig({ metrics: { token: 'short' } })).toThrow(/metrics\.token/);
    expect(() => parseConfig({ metrics: { token: `${'k'.repeat(40)} x` } })).toThrow(/metrics\.token/);
  });
});
