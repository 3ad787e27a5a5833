// Vitest globalSetup: makes sure Debian's Chromium is there for the browser tests. When it is missing
// and we run as root with apt-get, it is installed once (a lock directory keeps concurrent test runs
// from racing apt); otherwise the browser tests skip and print why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export const CHROMIUM = '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the Chromium binary, or '' when the browser tests must skip. */
    chromiumPath: string;
    /** Why the browser tests skip ('' when they run). */
    chromiumSkipReason: string;
  }
}

const LOCK = join(tmpdir(), 'keycard-chromium-install.lock');

function lockHolderAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withLock<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch {
      // Someone else installs; a lock left by a dead process is taken over.
      if (!lockHolderAlive()) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`);
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[]): boolean {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
  });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    console.warn(
      `browser tests: \`${cmd} ${args.join(' ')}\` failed (${result.status ?? result.signal}):\n${tail}`,
    );
    return false;
  }
  return true;
}

async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM)) return '';
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!isRoot || !hasApt) {
    return `${CHROMIUM} is missing and it cannot be installed here (${isRoot ? 'no apt-get' : 'not root'}): apt-get install chromium`;
  }
  return withLock(() => {
    if (existsSync(CHROMIUM)) return ''; // installed by whoever held the lock
    console.log('browser tests: installing Chromium (apt-get install -y chromium), once…');
    const ok =
      run('apt-get', ['update']) && run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
    if (ok && existsSync(CHROMIUM)) return '';
    return 'installing Chromium with apt-get failed (see above)';
  });
}

export default async function setup(project: TestProject): Promise<void> {
  const reason = await ensureChromium();
  if (reason !== '') console.warn(`browser tests will skip: ${reason}`);
  project.provide('chromiumPath', reason === '' ? CHROMIUM : '');
  project.provide('chromiumSkipReason', reason);
}
