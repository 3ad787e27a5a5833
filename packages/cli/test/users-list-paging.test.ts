import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage, usernameKey } from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('keycard users list pages through a large table', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-cli-'));
    // First run creates the data dir (master key, migrated database); then 1,201 users straight
    // into storage, many sharing a creation time, so keyset pages must break ties by id.
    expect((await run(['users', 'list', '--data-dir', dir])).code).toBe(0);
    const storage = await createSqliteStorage({ file: join(dir, 'keycard.db') });
    try {
      for (let i = 0; i < 1201; i++) {
        const username = `user${String(i).padStart(4, '0')}`;
        await storage.users.create({
          id: `u${(i * 7919) % 1201}`,
          username,
          usernameKey: usernameKey(username),
          passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
          roles: [],
          disabled: false,
          claims: {},
          email: null,
          emailKey: null,
          emailVerifiedAt: null,
          createdAt: 1_000 + Math.floor(i / 100),
          updatedAt: 1_000,
        });
      }
    } finally {
      await storage.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every user exactly once', async () => {
    const listed = await run(['users', 'list', '--json', '--data-dir', dir]);
    expect(listed.code).toBe(0);
    const users = JSON.parse(listed.stdout) as Array<{ id: string }>;
    expect(users).toHaveLength(1201);
    expect(new Set(users.map((u) => u.id)).size).toBe(1201);
  });
});
