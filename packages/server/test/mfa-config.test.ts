// The `mfa` configuration block: its defaults and the values it refuses.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/index.js';

describe('mfa configuration', () => {
  it('defaults: 5 failures per 300 s and 20 codes a day, recent sign-in 600 s, passkeys named keycard', () => {
    expect(parseConfig({}).mfa).toEqual({
      maxFailures: 5,
      failureWindow: 300,
      dailyMaxFailures: 20,
      recentAuthMaxAge: 600,
      rpName: 'keycard',
    });
    expect(Object.isFrozen(parseConfig({}).mfa)).toBe(true);
  });

  it('takes values in range', () => {
    const mfa = {
      maxFailures: 10,
      failureWindow: 900,
      dailyMaxFailures: 50,
      recentAuthMaxAge: 300,
      rpName: 'Grand Hotel',
    };
    expect(parseConfig({ mfa }).mfa).toEqual(mfa);
  });

  it.each([
    [{ maxFailures: 0 }, 'mfa.maxFailures'],
    [{ maxFailures: 101 }, 'mfa.maxFailures'],
    [{ maxFailures: 2.5 }, 'mfa.maxFailures'],
    [{ failureWindow: 0 }, 'mfa.failureWindow'],
    [{ failureWindow: 86_401 }, 'mfa.failureWindow'],
    [{ dailyMaxFailures: 0 }, 'mfa.dailyMaxFailures'],
    [{ dailyMaxFailures: 10_001 }, 'mfa.dailyMaxFailures'],
    [{ dailyMaxFailures: 1.5 }, 'mfa.dailyMaxFailures'],
    [{ recentAuthMaxAge: 10 }, 'mfa.recentAuthMaxAge'],
    [{ recentAuthMaxAge: 86_401 }, 'mfa.recentAuthMaxAge'],
    [{ rpName: '' }, 'mfa.rpName'],
    [{ rpName: 'x'.repeat(65) }, 'mfa.rpName'],
    [{ rpName: 'Hotel: front desk' }, 'mfa.rpName'],
    [{ rpName: 'Hotel\n' }, 'mfa.rpName'],
    [{ maxFailure: 5 }, 'mfa'],
  ])('names the bad field: %j', (mfa, field) => {
    let error: unknown;
    try {
      parseConfig({ mfa });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    expect((error as Error).message).toContain(`${field}:`);
  });
});
