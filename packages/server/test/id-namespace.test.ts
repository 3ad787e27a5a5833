import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, saveAudience } from '../src/index.js';
import { type Running, startServer } from './helpers.js';

/**
 * Clients and audiences share one namespace: an ID token's `aud` is its client id and an access
 * token's is an audience id, so a party that compares `aud` alone can never take one for the other.
 */
describe('one namespace for client and audience ids', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    await saveAudience(r.server.services, { id: 'rooms', scopes: ['rooms:read'] }, { actor: 'test' });
    await createClient(r.server.services, {
      id: 'desk',
      type: 'public',
      firstParty: true,
      grants: ['password'],
    });
  });
  afterAll(() => r.close());

  it('a client cannot take an audience id', async () => {
    await expect(
      createClient(r.server.services, {
        id: 'rooms',
        type: 'public',
        firstParty: true,
        grants: ['password'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_CONFLICT', message: expect.stringMatching(/one namespace/) });
    expect(await r.server.services.storage.clients.get('rooms')).toBeUndefined();
  });

  it('an audience cannot take a client id, and an existing audience is still updated', async () => {
    await expect(saveAudience(r.server.services, { id: 'desk' }, { actor: 'test' })).rejects.toMatchObject({
      code: 'ERR_CONFLICT',
      message: expect.stringMatching(/one namespace/),
    });
    expect(await r.server.services.storage.audiences.get('desk')).toBeUndefined();
    const updated = await saveAudience(r.server.services, { id: 'rooms', name: 'Rooms' }, { actor: 'test' });
    expect(updated).toMatchObject({ id: 'rooms', name: 'Rooms', scopes: ['rooms:read'] });
  });
});
