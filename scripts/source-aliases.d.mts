/** One exact-match alias per export of every workspace package, to its TypeScript source. */
export function sourceAliases(root?: string): { find: RegExp; replacement: string }[];
