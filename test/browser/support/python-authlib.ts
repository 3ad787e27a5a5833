// Python's Authlib for the second relying-party library test: Debian's python3-authlib and
// python3-requests for /usr/bin/python3, installed once when missing (root with apt-get), as the
// browser tests' Chromium is. Answers why the test must skip, or ''.
import { spawnSync } from 'node:child_process';
import { ensureDebianPackage } from '../../support/debian-package.js';

export const PYTHON = '/usr/bin/python3';
const DIST = '/usr/lib/python3/dist-packages';

/** What `import authlib, requests` says, '' when both import. */
function importProblem(): string {
  const run = spawnSync(PYTHON, ['-c', 'import authlib, requests, cryptography'], { encoding: 'utf8' });
  if (run.error !== undefined) return `${PYTHON} cannot run (${run.error.message})`;
  if (run.status === 0) return '';
  const missing = /No module named '([^']+)'/.exec(run.stderr)?.[1];
  return missing !== undefined
    ? `${PYTHON} cannot import ${missing} (Debian package python3-${missing})`
    : `${PYTHON} -c 'import authlib, requests' failed: ${run.stderr.trim().split('\n').at(-1)}`;
}

export async function authlibSkipReason(): Promise<string> {
  for (const pkg of ['authlib', 'requests']) {
    const reason = await ensureDebianPackage({
      suite: 'Authlib relying-party test',
      binary: `${DIST}/${pkg}/__init__.py`,
      pkg: `python3-${pkg}`,
    });
    if (reason !== '') return reason;
  }
  return importProblem();
}
