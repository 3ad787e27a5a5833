/** A public workspace: its name, absolute directory and parsed package.json. */
export interface PublicPackage {
  name: string;
  dir: string;
  pkg: {
    name: string;
    version: string;
    files?: string[];
    bin?: Record<string, string>;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    [key: string]: unknown;
  };
}

/** The repository root. */
export const ROOT: string;

/** Every public workspace (package.json without `private: true`), in the root `workspaces` order. */
export function publicPackages(root?: string): PublicPackage[];

/** The `files` entries (negations ignored) that match no path of the packed tarball. */
export function unmatchedFileEntries(files: readonly string[], paths: readonly string[]): string[];

/** Bare imports in the shipped JavaScript that name no builtin, no dependency and no peer dependency. */
export function undeclaredImports(
  dir: string,
  pkg: PublicPackage['pkg'],
  paths: readonly string[],
): { file: string; name: string }[];

/** Sources named by the shipped source maps that are not in the tarball. */
export function unresolvedSourceMaps(
  dir: string,
  paths: readonly string[],
): { map: string; source: string }[];
