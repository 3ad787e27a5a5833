import { afterEach, describe, expect, it } from 'vitest';
import {
  API_AUDIENCE,
  type CreateUserDeps,
  createUser,
  type IssueAccessTokenDeps,
  issueAccessToken,
  type PruneDeps,
  type RunMaintenanceDeps,
  runMaintenance,
  type ServerContext,
  type VerifyAccessTokenDeps,
  verifyAccessToken,
} from '../src/index.js';
import { type Running, startServer } from './helpers.js';

/** A copy of the context holding only `keys`: a service reading anything else gets undefined. */
function only<K extends keyof ServerContext>(ctx: ServerContext, ...keys: K[]): Pick<ServerContext, K> {
  return Object.fromEntries(keys.map((k) => [k, ctx[k]])) as Pick<ServerContext, K>;
}

describe('service dependency types', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('services run on the fields their dependency type names, not the whole context', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    const userDeps: CreateUserDeps = only(ctx, 'storage', 'clock', 'config', 'passwords', 'audit');
    const user = await createUser(userDeps, { username: 'alice', password: 'correct horse battery' });

    const issueDeps: IssueAccessTokenDeps = only(
      ctx,
      'config',
      'customClaims',
      'issuer',
      'keys',
      'metrics',
      'revocationIndex',
      'clock',
    );
    const { accessToken } = await issueAccessToken(issueDeps, {
      grant: 'password',
      clientId: 'keycard-cli',
      audiences: [API_AUDIENCE],
      scopes: [],
      user,
      sessionId: 'sid-1',
    });
    const verifyDeps: VerifyAccessTokenDeps = only(ctx, 'keys', 'issuer', 'clock', 'revocationIndex');
    const claims = await verifyAccessToken(verifyDeps, accessToken, { audience: API_AUDIENCE });
    expect(claims).toMatchObject({ sub: user.id, sid: 'sid-1', aud: API_AUDIENCE });

    const pruneDeps: PruneDeps = only(ctx, 'storage', 'config', 'clock', 'logger');
    const maintenanceDeps: RunMaintenanceDeps = { ...pruneDeps, ...only(ctx, 'keys') };
    const round = await runMaintenance(maintenanceDeps);
    expect(round).toMatchObject({ rotated: false, ran: true });
  });
});
