// The fenced code blocks of a Markdown file, for tests that run what the docs show. A block's info
// string is `LANG [NAME]` (```` ```js express.mjs ````): GitHub shows LANG and ignores NAME, tests
// find a block by its NAME.

export interface CodeBlock {
  lang: string;
  /** The word after the language, `''` when there is none. */
  name: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s{0,3})(`{3,}|~{3,})\s*([^\s`]*)\s*(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang, name] = open as unknown as [string, string, string, string, string];
    const close = new RegExp(`^\\s{0,3}${fence[0]}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]!); j++) body.push(lines[j]!.slice(indent.length));
    blocks.push({ lang, name, code: body.length > 0 ? `${body.join('\n')}\n` : '', line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The one block called `name`; throws when there is none or more than one. */
export function codeBlock(markdown: string, name: string): CodeBlock {
  const found = codeBlocks(markdown).filter((b) => b.name === name);
  if (found.length !== 1) throw new Error(`expected one code block named ${name}, found ${found.length}`);
  return found[0]!;
}
