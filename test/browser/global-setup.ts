// Vitest globalSetup: makes sure Debian's Chromium is there for the browser tests (installed once
// when missing and we run as root with apt-get); otherwise the browser tests skip and print why.
// The same for Python's Authlib and requests (Debian's python3-authlib, python3-requests), which
// oidc-authlib.test.ts uses as a second relying-party library.
import type { TestProject } from 'vitest/node';
import { ensureDebianPackage } from '../support/debian-package.js';
import { authlibSkipReason } from './support/python-authlib.js';

export const CHROMIUM = '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the Chromium binary, or '' when the browser tests must skip. */
    chromiumPath: string;
    /** Why the browser tests skip ('' when they run). */
    chromiumSkipReason: string;
    /** Why the Authlib relying-party test skips ('' when /usr/bin/python3 imports authlib and requests). */
    authlibSkipReason: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const reason = await ensureDebianPackage({ suite: 'browser tests', binary: CHROMIUM, pkg: 'chromium' });
  if (reason !== '') console.warn(`browser tests will skip: ${reason}`);
  project.provide('chromiumPath', reason === '' ? CHROMIUM : '');
  project.provide('chromiumSkipReason', reason);
  project.provide('authlibSkipReason', await authlibSkipReason());
}
