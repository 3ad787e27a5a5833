// scripts/check-links.mjs: every relative link and #anchor in the repository's Markdown resolves, and the
// checker really fails (file:line) on a broken file, folder or anchor.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const script = join(root, 'scripts', 'check-links.mjs');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function check(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'keycard-links-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const run = spawnSync(process.execPath, [script, '--root', dir], { encoding: 'utf8' });
  return { status: run.status, errors: run.stderr.split('\n').filter((l) => /:\d+: /.test(l)) };
}

describe('check-links', () => {
  it("passes on the repository's own Markdown", () => {
    const out = execFileSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/every relative link and anchor resolves/);
  });

  it('reports a missing file, a missing anchor and a missing anchor in another file, with file:line', () => {
    const run = check({
      'README.md':
        '# Keycard\n\nSee [guide](docs/guide.md#step-2) and [gone](docs/missing.md).\n\n[top](#nope)\n',
      'docs/guide.md': '# Guide\n\n## Step 1\n',
    });
    expect(run.status).toBe(1);
    expect(run.errors).toEqual([
      'README.md:3: "docs/guide.md#step-2": no heading or anchor #step-2 in docs/guide.md',
      'README.md:3: "docs/missing.md": no such file docs/missing.md',
      'README.md:5: "#nope": no heading or anchor #nope in README.md',
    ]);
  });

  it('accepts GitHub heading slugs, numbered duplicates, HTML anchors, folders and setext headings', () => {
    const run = check({
      'README.md': [
        '# `createGuard(options)` and the *guard*',
        "## Calls on a user's behalf (RFC 8693)",
        '## Notes',
        '## Notes',
        'Setext title',
        '============',
        '<a name="custom-anchor"></a>',
        '[a](#createguardoptions-and-the-guard) [b](#calls-on-a-users-behalf-rfc-8693) [c](#notes-1)',
        '[d](#setext-title) [e](#custom-anchor) [f](docs/) [g](docs/x.md#deep) [h](https://example.com/x#y)',
        '[ref]: docs/x.md',
        '<img src="docs/x.md"> `[not a link](nowhere.md)`',
        '```md',
        '[inside a fence](nowhere.md)',
        '```',
      ].join('\n'),
      'docs/x.md': '<h2 id="deep">Deep</h2>\n',
    });
    expect(run).toEqual({ status: 0, errors: [] });
  });

  it('skips node_modules, dist and test-results', () => {
    const broken = '[x](missing.md)\n';
    const run = check({
      'README.md': '# ok\n',
      'node_modules/a/README.md': broken,
      'dist/README.md': broken,
      'test-results/README.md': broken,
    });
    expect(run).toEqual({ status: 0, errors: [] });
  });
});
