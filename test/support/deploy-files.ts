import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** Readers for the files under deploy/: small parsers, so the deploy tests need no Docker. */

export const ROOT = join(import.meta.dirname, '..', '..');
export const DEPLOY = join(ROOT, 'deploy');

export function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

export function readYaml<T = Record<string, unknown>>(path: string): T {
  // `merge`: compose.yaml shares the servers' settings with `<<: *keycard`.
  return parse(read(path), { merge: true }) as T;
}

/** Every file under a directory, relative to the repository root. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

export interface DockerInstruction {
  op: string;
  args: string;
}
export interface DockerStage {
  from: string;
  name: string | undefined;
  instructions: DockerInstruction[];
}

/** A Dockerfile's instructions (continuation lines joined, comments dropped), grouped by stage. */
export function parseDockerfile(text: string): { args: DockerInstruction[]; stages: DockerStage[] } {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    lines.push(`${pending}${line}`.trim());
    pending = '';
  }
  const args: DockerInstruction[] = [];
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const instruction = { op: op.toUpperCase(), args: rest.join(' ') };
    if (instruction.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ from: m?.[1] ?? '', name: m?.[2], instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** `KEY=value` pairs of ENV instructions (the `KEY=value KEY2=value2` form). */
export function dockerEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { op, args } of stage.instructions) {
    if (op !== 'ENV') continue;
    for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
      env[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
    }
  }
  return env;
}

/** `KEY=value` lines of an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1] as string] = (m[2] as string).trim();
  }
  return env;
}

export interface NginxDirective {
  name: string;
  args: string[];
  block?: NginxDirective[];
}

/** nginx.conf as a tree of directives (quotes kept off, comments dropped). */
export function parseNginx(text: string): NginxDirective[] {
  const tokens: string[] = [];
  const re = /#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)/g;
  for (const m of text.matchAll(re)) {
    if (m[0].startsWith('#')) continue;
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  }
  let i = 0;
  const block = (): NginxDirective[] => {
    const out: NginxDirective[] = [];
    let words: string[] = [];
    while (i < tokens.length) {
      const t = tokens[i++] as string;
      if (t === ';') {
        out.push({ name: words[0] ?? '', args: words.slice(1) });
        words = [];
      } else if (t === '{') {
        out.push({ name: words[0] ?? '', args: words.slice(1), block: block() });
        words = [];
      } else if (t === '}') {
        return out;
      } else {
        words.push(t);
      }
    }
    return out;
  };
  return block();
}

/** Directives named `name` directly inside `tree`. */
export function directives(tree: NginxDirective[], name: string): NginxDirective[] {
  return tree.filter((d) => d.name === name);
}

/** Documents of a multi-document YAML stream, empty ones dropped. */
export function parseYamlStream(text: string): Array<Record<string, unknown>> {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null);
}

/** `kubectl kustomize DIR` output, or why it cannot run here (kubectl missing). */
export function kustomize(dir: string): { output: string } | { skip: string } {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    return { skip: `kubectl is not installed (${probe.error?.message ?? probe.stderr.trim()})` };
  }
  const run = spawnSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${run.stderr}`);
  return { output: run.stdout };
}

/** Every `KEYCARD_*` name mentioned in a text. */
export function keycardVariables(text: string): string[] {
  return [...new Set(text.match(/\bKEYCARD_[A-Z0-9_]+\b/g) ?? [])];
}

/**
 * `nginx -t` on a copy of deploy/nginx.conf whose upstream names point at 127.0.0.1 (no Docker
 * DNS here) and whose access log is a file (the test runner's stdout may not be openable). nginx before 1.27.3 (Debian's 1.22) lacks the upstream `resolve` parameter: the
 * copy drops it there. Returns nginx's verdict, or why it cannot run (nginx missing).
 */
export function nginxSyntaxCheck(
  conf: string,
): { ok: boolean; output: string; version: string } | { skip: string } {
  const nginx = ['/usr/sbin/nginx', 'nginx'].find(
    (bin) => spawnSync(bin, ['-v'], { encoding: 'utf8' }).error === undefined,
  );
  if (nginx === undefined) return { skip: 'nginx is not installed' };
  const version = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr);
  const [major, minor, patch] = (version?.slice(1) ?? []).map(Number) as [number, number, number];
  const hasResolve = major > 1 || (major === 1 && (minor > 27 || (minor === 27 && patch >= 3)));
  let copy = conf.replace(/\bkeycard-\d+:(\d+)/g, '127.0.0.1:$1');
  if (!hasResolve) copy = copy.replace(/ resolve\b/g, '');
  const dir = mkdtempSync(join(tmpdir(), 'keycard-nginx-'));
  copy = copy.replace('access_log /dev/stdout', `access_log ${join(dir, 'access.log')}`);
  try {
    writeFileSync(join(dir, 'nginx.conf'), copy);
    const run = spawnSync(nginx, ['-t', '-q', '-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf')], {
      encoding: 'utf8',
    });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`, version: version?.[0] ?? '?' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
