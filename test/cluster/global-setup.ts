// Vitest globalSetup: makes sure Debian's nginx is there for the cluster suite (the load balancer in
// front of three `keycard serve` processes), installed once when missing and we run as root with
// apt-get, without starting the system's nginx service; otherwise the cluster suite skips and
// prints why.
import type { TestProject } from 'vitest/node';
import { ensureDebianPackage } from '../support/debian-package.js';

export const NGINX = '/usr/sbin/nginx';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the nginx binary, or '' when the cluster suite must skip. */
    nginxPath: string;
    /** Why the cluster suite skips for want of nginx ('' when it runs). */
    nginxSkipReason: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const reason = await ensureDebianPackage({ suite: 'cluster tests', binary: NGINX, pkg: 'nginx' });
  if (reason !== '') console.warn(`cluster tests will skip: ${reason}`);
  project.provide('nginxPath', reason === '' ? NGINX : '');
  project.provide('nginxSkipReason', reason);
}
