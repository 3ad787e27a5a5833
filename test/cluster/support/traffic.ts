// Ordinary traffic through the load balancer, and a check that the processes run the current code.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Cluster } from './cluster.js';
import { call, freshAddress } from './http.js';
import { refresh, type Session, signInAnswer } from './sessions.js';

let turn = 0;

/**
 * One sign-in (a fresh client address, so no limit is reached) and one refresh per session, all
 * through nginx. Returns the statuses; 0 stands for a network error (nothing answered).
 */
export async function trafficRound(
  cluster: Cluster,
  usernames: readonly string[],
  sessions: readonly Session[],
): Promise<number[]> {
  const username = usernames[turn++ % usernames.length]!;
  const answers = await Promise.all(
    [
      signInAnswer(cluster.issuer, username, freshAddress()),
      ...sessions.map((s) => refresh(cluster.issuer, s)),
    ].map((p) =>
      p.then(
        (a) => a.status,
        () => 0,
      ),
    ),
  );
  return answers;
}

/** Each instance's /readyz, asked directly: its status and its `degraded` list ([] when absent). */
export async function readiness(
  cluster: Cluster,
): Promise<Array<{ status: number; degraded: unknown[]; body: Record<string, unknown> }>> {
  const answers = await Promise.all(cluster.ports.map((_, i) => call(`${cluster.url(i)}/readyz`)));
  return answers.map(({ status, body }) => {
    const degraded = body['degraded'];
    return { status, degraded: Array.isArray(degraded) ? degraded : [], body };
  });
}

const ROOT = resolve(import.meta.dirname, '../../..');

function newest(dir: string, ext: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, ext));
    else if (entry.name.endsWith(ext)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/** True when some package's src changed after its dist was built (the processes run dist). */
export function distIsStale(): boolean {
  return ['jwt', 'server', 'guard', 'cli'].some((name) => {
    try {
      const pkg = join(ROOT, 'packages', name);
      return newest(join(pkg, 'src'), '.ts') > newest(join(pkg, 'dist'), '.js');
    } catch {
      return true;
    }
  });
}
