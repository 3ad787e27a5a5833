// Installs a Debian package a test suite needs (Chromium for test/browser, nginx for test/cluster)
// when its binary is missing and we run as root with apt-get: once, under a lock directory so
// concurrent test runs do not race apt, with service starts forbidden (suites run their own
// processes, never the system's services). Returns '' when the binary is there, else why not.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's hook that tells maintainer scripts not to start services; 101 = "action forbidden". */
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function lockHolderAlive(lock: string): boolean {
  try {
    process.kill(Number(readFileSync(join(lock, 'pid'), 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

async function withLock<T>(lock: string, fn: () => T): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // Someone else installs; a lock left by a dead process is taken over.
      if (!lockHolderAlive(lock)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function run(suite: string, cmd: string, args: string[]): boolean {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
  });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    console.warn(
      `${suite}: \`${cmd} ${args.join(' ')}\` failed (${result.status ?? result.signal}):\n${tail}`,
    );
    return false;
  }
  return true;
}

function aptInstall(suite: string, pkg: string): boolean {
  const ownPolicy = !existsSync(POLICY_RC_D);
  if (ownPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    // apt may be busy with another suite's install: wait for its lock rather than fail.
    const wait = ['-o', 'DPkg::Lock::Timeout=600'];
    return (
      run(suite, 'apt-get', [...wait, 'update']) &&
      run(suite, 'apt-get', [...wait, 'install', '-y', '--no-install-recommends', pkg])
    );
  } finally {
    if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
  }
}

/**
 * @example
 * ```ts
 * const reason = await ensureDebianPackage({ suite: 'browser tests', binary: '/usr/bin/chromium', pkg: 'chromium' });
 * ```
 */
export async function ensureDebianPackage(opts: {
  suite: string;
  binary: string;
  pkg: string;
}): Promise<string> {
  const { suite, binary, pkg } = opts;
  if (existsSync(binary)) return '';
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!isRoot || !hasApt) {
    return `${binary} is missing and it cannot be installed here (${isRoot ? 'no apt-get' : 'not root'}): apt-get install ${pkg}`;
  }
  return withLock(join(tmpdir(), `keycard-${pkg}-install.lock`), () => {
    if (existsSync(binary)) return ''; // installed by whoever held the lock
    console.log(`${suite}: installing ${pkg} (apt-get install -y ${pkg}), once…`);
    if (aptInstall(suite, pkg) && existsSync(binary)) return '';
    return `installing ${pkg} with apt-get failed (see above)`;
  });
}
