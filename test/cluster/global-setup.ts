// Vitest globalSetup: makes sure Debian's nginx is there for the cluster suite (the load balancer in
// front of three `keycard serve` processes). When it is missing and we run as root with apt-get, it
// is installed once (a lock directory keeps concurrent test runs from racing apt) without starting
// the system's nginx service; otherwise the cluster suite skips and prints why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export const NGINX = '/usr/sbin/nginx';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the nginx binary, or '' when the cluster suite must skip. */
    nginxPath: string;
    /** Why the cluster suite skips for want of nginx ('' when it runs). */
    nginxSkipReason: string;
  }
}

const LOCK = join(tmpdir(), 'keycard-nginx-install.lock');
/** Debian's hook that tells maintainer scripts not to start services; 101 = "action forbidden". */
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function lockHolderAlive(): boolean {
  try {
    process.kill(Number(readFileSync(join(LOCK, 'pid'), 'utf8')), 0);
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
      `cluster tests: \`${cmd} ${args.join(' ')}\` failed (${result.status ?? result.signal}):\n${tail}`,
    );
    return false;
  }
  return true;
}

/** apt-get install with service starts forbidden (the suite runs its own nginx, never the system's). */
function installNginx(): boolean {
  const ownPolicy = !existsSync(POLICY_RC_D);
  if (ownPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    // apt may be busy with another suite's install (Chromium): wait for its lock rather than fail.
    const wait = ['-o', 'DPkg::Lock::Timeout=600'];
    return (
      run('apt-get', [...wait, 'update']) &&
      run('apt-get', [...wait, 'install', '-y', '--no-install-recommends', 'nginx'])
    );
  } finally {
    if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
  }
}

async function ensureNginx(): Promise<string> {
  if (existsSync(NGINX)) return '';
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!isRoot || !hasApt) {
    return `${NGINX} is missing and it cannot be installed here (${isRoot ? 'no apt-get' : 'not root'}): apt-get install nginx`;
  }
  return withLock(() => {
    if (existsSync(NGINX)) return ''; // installed by whoever held the lock
    console.log('cluster tests: installing nginx (apt-get install -y nginx), once…');
    if (installNginx() && existsSync(NGINX)) return '';
    return 'installing nginx with apt-get failed (see above)';
  });
}

export default async function setup(project: TestProject): Promise<void> {
  const reason = await ensureNginx();
  if (reason !== '') console.warn(`cluster tests will skip: ${reason}`);
  project.provide('nginxPath', reason === '' ? NGINX : '');
  project.provide('nginxSkipReason', reason);
}
