import { describe, expect, it } from 'vitest';
import { corsHeaders } from './cors.js';

describe('corsHeaders', () => {
  const allowed = ['http://127.0.0.1:4000', 'http://localhost:4000'];

  it('answers an allowed origin with that origin, the Authorization and DPoP headers and no credentials', () => {
    const headers = corsHeaders('http://localhost:4000', allowed);
    expect(headers['access-control-allow-origin']).toBe('http://localhost:4000');
    expect(headers['access-control-allow-headers']).toBe('Authorization, DPoP');
    expect(headers['access-control-expose-headers']).toBe('WWW-Authenticate, DPoP-Nonce');
    expect(headers.vary).toBe('Origin');
    expect(headers).not.toHaveProperty('access-control-allow-credentials');
  });

  it('says nothing to other origins, or without an Origin header', () => {
    expect(corsHeaders('http://evil.example', allowed)).toEqual({});
    expect(corsHeaders('http://127.0.0.1:4000.evil.example', allowed)).toEqual({});
    expect(corsHeaders(undefined, allowed)).toEqual({});
    expect(corsHeaders('http://127.0.0.1:4000', [])).toEqual({});
  });
});
