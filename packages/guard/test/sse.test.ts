import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/feed/backoff.js';
import type { SseEvent } from '../src/feed/sse-parser.js';
import { SseParser } from '../src/feed/sse-parser.js';

const STREAM =
  '\uFEFF: hello\r\nretry: 2000\r\n\r\n' +
  'id: 1\nevent: revocation\ndata: {"a":1}\n\n' +
  'id: 2\revent: revocation\rdata: line one\rdata:line two\r\r' +
  'data: no type\r\n\r\n' +
  'id: 3\r\nevent: reset\r\n\r\n' +
  'event: ignored-without-blank-line\ndata: x';

function parse(chunks: string[]): { events: SseEvent[]; comments: string[]; retry: number | undefined } {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = new SseParser(
    (e) => events.push(e),
    (c) => comments.push(c),
  );
  for (const c of chunks) parser.push(c);
  return { events, comments, retry: parser.retryMs };
}

const expected: SseEvent[] = [
  { type: 'revocation', data: '{"a":1}', lastEventId: '1' },
  { type: 'revocation', data: 'line one\nline two', lastEventId: '2' },
  { type: 'message', data: 'no type', lastEventId: '2' },
  { type: 'reset', data: '', lastEventId: '3' },
];

describe('SseParser', () => {
  it('parses ids, types, multi-line data, comments, retry, BOM and every line ending', () => {
    const { events, comments, retry } = parse([STREAM]);
    expect(events).toEqual(expected);
    expect(comments).toEqual(['hello']);
    expect(retry).toBe(2000);
  });

  it('gives the same events whatever the chunk boundaries', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      expect(parse([STREAM.slice(0, i), STREAM.slice(i)]).events, `split at ${i}`).toEqual(expected);
    }
    expect(parse([...STREAM]).events).toEqual(expected);
    for (let i = 1; i < STREAM.length; i += 7) {
      for (let j = i + 1; j < STREAM.length; j += 11) {
        expect(parse([STREAM.slice(0, i), STREAM.slice(i, j), STREAM.slice(j)]).events).toEqual(expected);
      }
    }
  });
});

describe('backoffDelay', () => {
  it('grows exponentially and stays within bounds, with jitter', () => {
    expect(backoffDelay(1, 250, 10_000, () => 1)).toBe(250);
    expect(backoffDelay(3, 250, 10_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 250, 10_000, () => 0)).toBe(500);
    for (let attempt = 0; attempt < 200; attempt++) {
      const d = backoffDelay(attempt, 250, 10_000);
      expect(d).toBeGreaterThanOrEqual(1);
      expect(d).toBeLessThanOrEqual(10_000);
    }
  });
});
