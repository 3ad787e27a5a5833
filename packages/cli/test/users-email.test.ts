import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

/** `keycard users add --email` and `keycard users email` on a data dir: addresses an admin sets are verified. */
describe('users add --email, users email', () => {
  let dir: string;
  const at = (...argv: string[]) => [...argv, '--data-dir', dir];
  const listed = async () =>
    JSON.parse((await run(at('users', 'list', '--json'))).stdout) as Array<{
      username: string;
      email: string | null;
      emailVerifiedAt: number | null;
    }>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-cli-email-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a user with a verified address, shown by users list', async () => {
    const added = await run(
      at('users', 'add', 'alice', '--email', 'Alice@Hotel.example', '--password-stdin'),
      {
        stdin: `${PASSWORD}\n`,
      },
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/created user alice .*email Alice@Hotel\.example/);
    const [alice] = await listed();
    expect(alice).toMatchObject({ username: 'alice', email: 'Alice@Hotel.example' });
    expect(alice!.emailVerifiedAt).toBeTypeOf('number');
    expect((await run(at('users', 'list'))).stdout).toMatch(/EMAIL[\s\S]*Alice@Hotel\.example/);
  });

  it('refuses an address that is not one, or another user’s (any case)', async () => {
    const bad = await run(at('users', 'add', 'bob', '--email', 'bob at hotel', '--password-stdin'), {
      stdin: PASSWORD,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ERR_VALIDATION/);
    const taken = await run(at('users', 'add', 'bob', '--email', 'alice@hotel.example', '--password-stdin'), {
      stdin: PASSWORD,
    });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/ERR_CONFLICT/);
  });

  it('users email sets (verified) and removes an address', async () => {
    expect((await run(at('users', 'add', 'carol', '--password-stdin'), { stdin: PASSWORD })).code).toBe(0);
    const set = await run(at('users', 'email', 'carol', 'carol@hotel.example'));
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('carol: email carol@hotel.example (verified)\n');
    expect((await listed()).find((u) => u.username === 'carol')).toMatchObject({
      email: 'carol@hotel.example',
    });
    const taken = await run(at('users', 'email', 'carol', 'ALICE@hotel.example'));
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/ERR_CONFLICT/);
    const removed = await run(at('users', 'email', 'carol', '--remove'));
    expect(removed.stdout).toBe('carol: no email address\n');
    expect((await listed()).find((u) => u.username === 'carol')).toMatchObject({
      email: null,
      emailVerifiedAt: null,
    });
    expect((await run(at('users', 'email', 'nobody', 'x@example.com'))).code).toBe(1);
    // Either an address or --remove, never both or neither: a usage error.
    expect((await run(at('users', 'email', 'carol'))).code).toBe(2);
    expect((await run(at('users', 'email', 'carol', 'x@example.com', '--remove'))).code).toBe(2);
  });
});
