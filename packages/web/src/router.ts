/**
 * Hash routing (`#/account`): works from any static host and never collides with the
 * server's /api, /oauth, /.well-known and /revocations paths.
 */
import { useEffect, useState } from 'preact/hooks';

function currentPath(): string {
  const hash = window.location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : '/';
}

/**
 * The current route path, e.g. '/admin/users'.
 *
 * @example
 * const path = useRoute();
 */
export function useRoute(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

/** Goes to a route (adds a history entry). */
export function navigate(path: string): void {
  if (currentPath() !== path) window.location.hash = path;
}

/** Goes to a route in place of the current one (no history entry: a redirect, not a visit). */
export function replaceRoute(path: string): void {
  if (currentPath() !== path) window.location.replace(`#${path}`);
}

/** The href for a route, for plain `<a>` links. */
export function href(path: string): string {
  return `#${path}`;
}

/**
 * A route path split at its query (`/logout?l=…` → `/logout` and its parameters).
 *
 * @example
 * const { base, params } = splitRoute('/logout?l=abc'); // '/logout', params.get('l') === 'abc'
 */
export function splitRoute(path: string): { base: string; params: URLSearchParams } {
  const at = path.indexOf('?');
  return at < 0
    ? { base: path, params: new URLSearchParams() }
    : { base: path.slice(0, at), params: new URLSearchParams(path.slice(at + 1)) };
}
