import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_ERRORS, ServerError } from '../src/index.js';

describe('error registry', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

  it.each(Object.keys(SERVER_ERRORS))('%s is documented in docs/errors.md with its status', (code) => {
    const info = SERVER_ERRORS[code as keyof typeof SERVER_ERRORS];
    const rows = doc.split('\n').map((line) => line.split('|').map((cell) => cell.trim()));
    const row = rows.find((cells) => cells[1] === `\`${code}\``);
    expect(row, code).toBeDefined();
    expect(row?.[2]).toBe(String(info.status));
    expect(row?.[3]).toBe(`\`${info.oauth}\``);
  });

  it('errors carry code, status and public message; the cause stays internal', () => {
    const cause = new Error('db password=hunter2');
    const error = new ServerError('ERR_INTERNAL', { cause });
    expect(error).toMatchObject({ code: 'ERR_INTERNAL', status: 500, oauthError: 'server_error' });
    expect(error.message).not.toContain('hunter2');
  });
});

describe('unexpected errors', () => {
  it('become 500 ERR_INTERNAL / server_error with no detail', async () => {
    const { createServer } = await import('../src/index.js');
    const server = await createServer(
      { logLevel: 'silent', databaseUrl: 'memory' },
      { unsafeFastPasswordHashingForTests: true, jobs: false },
    );
    try {
      server.app.get('/api/boom', async () => {
        throw new Error('secret detail');
      });
      server.app.post('/oauth/boom', async () => {
        throw new TypeError('secret detail');
      });
      const api = await server.app.inject({ method: 'GET', url: '/api/boom' });
      expect(api.statusCode).toBe(500);
      expect(api.json()).toEqual({ error: { code: 'ERR_INTERNAL', message: 'Internal server error' } });
      const oauth = await server.app.inject({ method: 'POST', url: '/oauth/boom' });
      expect(oauth.statusCode).toBe(500);
      expect(oauth.json()).toMatchObject({ error: 'server_error', code: 'ERR_INTERNAL' });
      expect(oauth.body).not.toContain('secret detail');
    } finally {
      await server.close();
    }
  });
});
