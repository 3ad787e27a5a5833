import { describe, expect, it } from 'vitest';
import { linkParts } from '../src/lib/mail-links.js';

describe('linkParts (the Mailbox shows a mail as text with its web links clickable)', () => {
  it('makes http(s) links of the addresses, without the sentence punctuation after them', () => {
    expect(linkParts('Open http://localhost:4000/#/reset?token=abc_-1. Thanks')).toEqual([
      { text: 'Open ' },
      {
        href: 'http://localhost:4000/#/reset?token=abc_-1',
        text: 'http://localhost:4000/#/reset?token=abc_-1',
      },
      { text: '. Thanks' },
    ]);
    expect(linkParts('(https://desk.example/a)')).toEqual([
      { text: '(' },
      { href: 'https://desk.example/a', text: 'https://desk.example/a' },
      { text: ')' },
    ]);
  });

  it('leaves every other scheme and any markup as text', () => {
    const text = 'javascript:alert(1) data:text/html,x <a href="http://x">y</a> mailto:a@b';
    const parts = linkParts(text);
    expect(parts.filter((p) => 'href' in p).map((p) => (p as { href: string }).href)).toEqual(['http://x/']);
    expect(parts.map((p) => p.text).join('')).toBe(text);
  });

  it('keeps a text without links whole', () => {
    expect(linkParts('Hello,\n\nno links here.')).toEqual([{ text: 'Hello,\n\nno links here.' }]);
    expect(linkParts('')).toEqual([]);
  });
});
