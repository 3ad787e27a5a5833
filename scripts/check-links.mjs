#!/usr/bin/env node
// Offline check of every relative link and #anchor in the repository's Markdown files: the target file
// or folder must exist, and an anchor must name a heading (GitHub's slug rules) or an explicit HTML
// anchor (`id="…"`, `<a name="…">`) of the target Markdown file. http(s), mailto and other absolute
// links are not followed (no network). Prints `file:line: …` per broken link and exits 1 if any.
//
//   node scripts/check-links.mjs [--root DIR]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'test-results', 'coverage', '.git', 'out']);

/** Every *.md under `root`, build output and dependencies left out. */
export function markdownFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') && entry.name !== '.') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk(root);
  return files.sort();
}

/** Lines of a file, `null` inside fenced code blocks (links and headings there do not count). */
function proseLines(text) {
  let fence = null;
  return text.split(/\r?\n/).map((line) => {
    const open = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === null && open) {
      fence = open[1];
      return null;
    }
    if (fence !== null) {
      if (new RegExp(`^\\s{0,3}${fence[0]}{${fence.length},}\\s*$`).test(line)) fence = null;
      return null;
    }
    return line;
  });
}

/** A line with its inline code spans blanked (`[x](y)` inside backticks is not a link). */
const withoutCode = (line) => line.replace(/(`+)(?:(?!\1).)+?\1/g, (m) => ' '.repeat(m.length));

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes, duplicates numbered. */
export function slug(heading) {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images keep their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

const anchorCache = new Map();

/** Every anchor a Markdown file defines: heading slugs (numbered like GitHub) and HTML ids/names. */
export function anchorsOf(file) {
  const cached = anchorCache.get(file);
  if (cached) return cached;
  const anchors = new Set();
  const seen = new Map();
  const add = (base) => {
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  };
  const lines = proseLines(readFileSync(file, 'utf8'));
  lines.forEach((line, i) => {
    if (line === null) return;
    const atx = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    const above = i > 0 ? lines[i - 1] : null;
    if (atx) add(slug(atx[1]));
    else if (/^\s{0,3}(=+|-+)\s*$/.test(line) && above?.trim() && !/^\s*([-*+|>#]|\d+\.)/.test(above))
      add(slug(above));
    for (const m of withoutCode(line).matchAll(/<[a-z][^>]*?\s(?:id|name)\s*=\s*["']([^"']+)["']/gi))
      anchors.add(m[1]);
  });
  anchorCache.set(file, anchors);
  return anchors;
}

/** Link targets of one line: inline links/images, reference definitions, HTML href/src. */
function targetsOf(line) {
  const targets = [];
  for (const m of line.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+["'(][^)]*)?\)/g))
    targets.push(m[1].replace(/^<|>$/g, ''));
  const ref = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
  if (ref) targets.push(ref[1].replace(/^<|>$/g, ''));
  for (const m of line.matchAll(/\s(?:href|src)\s*=\s*["']([^"']+)["']/gi)) targets.push(m[1]);
  return targets;
}

/** Checks one Markdown file; returns `file:line: message` strings relative to `root`. */
export function checkFile(file, root) {
  const problems = [];
  const name = relative(root, file).split(sep).join('/');
  proseLines(readFileSync(file, 'utf8')).forEach((line, i) => {
    if (line === null) return;
    for (const target of targetsOf(withoutCode(line))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // absolute URL
      const hash = target.indexOf('#');
      const pathPart = (hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      let path;
      try {
        path = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
      } catch {
        problems.push(`${name}:${i + 1}: malformed link "${target}"`);
        continue;
      }
      if (pathPart.startsWith('/')) path = join(root, decodeURIComponent(pathPart));
      if (!existsSync(path)) {
        problems.push(`${name}:${i + 1}: "${target}": no such file ${relative(root, path)}`);
        continue;
      }
      if (anchor === undefined || anchor === '' || !path.endsWith('.md') || statSync(path).isDirectory())
        continue;
      if (!anchorsOf(path).has(anchor))
        problems.push(
          `${name}:${i + 1}: "${target}": no heading or anchor #${anchor} in ${relative(root, path)}`,
        );
    }
  });
  return problems;
}

export function checkLinks(root) {
  const files = markdownFiles(root);
  return { files, problems: files.flatMap((file) => checkFile(file, root)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--root');
  const root = resolve(at === -1 ? join(import.meta.dirname, '..') : process.argv[at + 1]);
  const { files, problems } = checkLinks(root);
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`check-links: ${problems.length} broken link(s) in ${files.length} Markdown files`);
    process.exit(1);
  }
  console.log(`check-links: ${files.length} Markdown files, every relative link and anchor resolves`);
}
