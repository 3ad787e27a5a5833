/** The README documents every error code (with its status and class) and every public export. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { JOSE_ERRORS, JoseError } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
/** The error table's rows as trimmed cells: [code, class, status, when]. */
const rows = readme
  .split('\n')
  .filter((line) => line.startsWith('| `ERR_'))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );

describe('README', () => {
  it.each(Object.entries(JOSE_ERRORS))('documents %s with its status', (code, { status }) => {
    const row = rows.find((cells) => cells[0] === `\`${code}\``);
    expect(row?.[2]).toBe(String(status));
  });

  it('names the subclass of every code', () => {
    for (const [name, value] of Object.entries(api)) {
      if (typeof value === 'function' && value.prototype instanceof JoseError) {
        const instance = new (value as new () => JoseError)();
        expect(rows.find((cells) => cells[0] === `\`${instance.code}\``)?.[1]).toBe(`\`${name}\``);
      }
    }
  });

  it.each(Object.entries(JOSE_ERRORS))('docs/errors.md lists %s with its status', (code, { status }) => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## JOSE core'));
    const row = section
      .split('\n')
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .find((cells) => cells[1] === `\`${code}\``);
    expect(row?.[2], code).toBe(String(status));
  });

  it('mentions every runtime export', () => {
    for (const name of Object.keys(api)) expect(readme, name).toContain(name);
  });
});
