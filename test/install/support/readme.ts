import { readFileSync } from 'node:fs';

/** A fenced code block: its info string (`sh`, `ts`) and its text. */
export interface CodeBlock {
  lang: string;
  code: string;
}

/**
 * The fenced code blocks under a `## heading` of a Markdown file, up to the next `## `.
 * Throws when the section is missing, so a renamed heading fails the install test loudly.
 *
 * @example
 * const [sh] = sectionBlocks('README.md', 'Tokens from the command line');
 */
export function sectionBlocks(file: string, heading: string): CodeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start === -1) throw new Error(`${file}: no section '## ${heading}'`);
  const blocks: CodeBlock[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of lines.slice(start + 1)) {
    if (open === undefined && line.startsWith('## ')) break;
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence && open === undefined) open = { lang: fence[1] ?? '', lines: [] };
    else if (fence && open !== undefined) {
      blocks.push({ lang: open.lang, code: `${open.lines.join('\n')}\n` });
      open = undefined;
    } else open?.lines.push(line);
  }
  return blocks;
}

/** A shell line without its trailing `# comment` (the README's lines have no `#` in strings). */
export function withoutComment(line: string): string {
  return line.replace(/\s+#.*$/, '').trim();
}
