import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema, parseConfig } from '../src/index.js';

/**
 * Every option of the config schema has a row in the server README's configuration table, with its
 * default; docs/operations.md's knob table shows the same defaults.
 */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const operations = readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8');
const defaults = parseConfig({}) as unknown as Record<string, unknown>;

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema> };
function paths(schema: JsonSchema, prefix: string[] = []): string[][] {
  // `{ limit, windowSeconds }` objects are one option (shown as "limit / window s").
  if (schema.type !== 'object' || schema.properties === undefined || 'limit' in schema.properties)
    return [prefix];
  return Object.entries(schema.properties).flatMap(([key, sub]) => paths(sub, [...prefix, key]));
}
const options = paths(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);

const rows = (doc: string) =>
  doc
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|').map((cell) => cell.trim()));

function valueAt(path: string[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], defaults);
}

function shown(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return '`null`';
  if (Array.isArray(value)) return `\`${JSON.stringify(value)}\``;
  if (typeof value === 'object') {
    const { limit, windowSeconds } = value as { limit: number; windowSeconds: number };
    return `${limit} / ${windowSeconds} s`;
  }
  return `\`${String(value)}\``;
}

describe('configuration docs', () => {
  it('finds the options', () => {
    expect(options.length).toBeGreaterThan(40);
  });

  it.each(options.map((p) => p.join('.')))('%s is in the server README with its default', (name) => {
    const path = name.split('.');
    const leaf = path.at(-1)!;
    const parent = path.slice(0, -1).join('.');
    const row = rows(readme).find(
      ([, first]) =>
        first !== undefined &&
        (first.includes(`\`${name}\``) ||
          (parent !== '' && first.startsWith(`\`${parent}.`) && first.includes(`\`${leaf}\``))),
    );
    expect(row, name).toBeDefined();
    const expected = shown(valueAt(path));
    if (expected !== undefined) expect(row![2], name).toContain(expected);
  });

  it('docs/operations.md shows the same server defaults', () => {
    const names = new Set(options.map((p) => p.join('.')));
    let checked = 0;
    for (const [, first, second] of rows(operations)) {
      const name = first?.replace(/`/g, '');
      if (name === undefined || !names.has(name)) continue;
      expect(second, name).toContain(shown(valueAt(name.split('.'))));
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });
});
