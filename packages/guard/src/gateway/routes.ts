import { ACR, ACR_VALUES, type Acr } from '@keycard/protocol';
import { isGuardError, optionError } from '../errors.js';
import type { StepUpNeed } from '../policies/auth-strength.js';
import { isUnsafePath } from './safe-path.js';

/**
 * A per-route rule of the gateway: requests whose path is `path` or lies under it (and, with
 * `methods`, use one of them) need a sign-in of strength `acr` and/or at most `maxAge` seconds old
 * (RFC 9470 step-up; 401 `insufficient_user_authentication` otherwise).
 */
export interface GatewayRoute {
  /** A path prefix, matched on segment boundaries: `/admin` covers `/admin` and `/admin/x`, not `/administrator`. */
  path: string;
  /** Upper-case methods the rule covers (`GET` covers `HEAD` too). Default: every method. */
  methods?: readonly string[] | undefined;
  /** One of `ACR_VALUES` (`ACR.mfa`, ...): the card's `acr` must be this or stronger. */
  acr?: string | undefined;
  /** Seconds: the card's `auth_time` must be at most this old. */
  maxAge?: number | undefined;
}

/** The compiled rules: what a request needs, the strictest of every rule that covers it. */
export interface RouteRules {
  need(method: string, uri: string): StepUpNeed | undefined;
}

interface CompiledRoute {
  prefix: string;
  methods: ReadonlySet<string> | undefined;
  acr: Acr | undefined;
  maxAge: number | undefined;
}

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Z]+$/;
const PATH = /^\/[\x21-\x7e]*$/;
const UNRESERVED = /^[a-z0-9\-._~]$/;

/**
 * The path as a rule compares it: lower-case, `%XX` of unreserved characters decoded (also under
 * `%25`), `;parameters`, trailing dots and blanks of each segment and empty segments removed. Each
 * step can only make two spellings equal that some server takes for the same resource, so a rule
 * may cover more requests than it names, never fewer.
 */
function normalize(path: string): string {
  let p = path.toLowerCase();
  for (let i = 0; i < 3 && p.includes('%25'); i++) p = p.replaceAll('%25', '%');
  p = p.replace(/%([0-9a-f]{2})/g, (encoded, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : encoded;
  });
  const segments: string[] = [];
  for (let segment of p.split('/')) {
    const semicolon = segment.indexOf(';');
    if (semicolon !== -1) segment = segment.slice(0, semicolon);
    segment = segment.replace(/(?:\.|%20|%09)+$/, '');
    if (segment !== '') segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

function covers(prefix: string, path: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}

function compileRoute(route: GatewayRoute, i: number): CompiledRoute {
  const name = `routes[${i}]`;
  if (route === null || typeof route !== 'object') throw optionError(name, 'must be an object');
  const { path, methods, acr, maxAge } = route;
  if (typeof path !== 'string' || !PATH.test(path) || /[?#]/.test(path) || isUnsafePath(path))
    throw optionError(`${name}.path`, 'must be a path starting with / (no query, dot-segment or space)');
  let methodSet: Set<string> | undefined;
  if (methods !== undefined) {
    if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => METHOD.test(m)))
      throw optionError(`${name}.methods`, 'must be a non-empty array of upper-case methods');
    methodSet = new Set(methods);
    if (methodSet.has('GET')) methodSet.add('HEAD');
  }
  if (acr !== undefined && !ACR_VALUES.includes(acr as Acr))
    throw optionError(`${name}.acr`, `must be one of ${ACR_VALUES.join(', ')}`);
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0))
    throw optionError(`${name}.maxAge`, 'must be a non-negative integer of seconds');
  if (acr === undefined && maxAge === undefined) throw optionError(name, 'needs acr or maxAge');
  return { prefix: normalize(path), methods: methodSet, acr: acr as Acr | undefined, maxAge };
}

/**
 * Checks the rules (ERR_GUARD_OPTIONS_INVALID naming the bad field) and compiles them; undefined when
 * there are none. A request is held to every rule that covers it: the strongest acr, the smallest
 * maxAge. A path is looked at both whole and up to a `#` (which some servers take as the end).
 */
export function compileRoutes(routes: readonly GatewayRoute[] | undefined): RouteRules | undefined {
  if (routes === undefined) return undefined;
  if (!Array.isArray(routes)) throw optionError('routes', 'must be an array');
  const compiled = routes.map(compileRoute);
  if (compiled.length === 0) return undefined;
  return {
    need(method, uri) {
      const q = uri.indexOf('?');
      const raw = q === -1 ? uri : uri.slice(0, q);
      const hash = raw.indexOf('#');
      const paths = hash === -1 ? [normalize(raw)] : [normalize(raw), normalize(raw.slice(0, hash))];
      const verb = method.toUpperCase();
      let acr = -1;
      let maxAge: number | undefined;
      for (const route of compiled) {
        if (route.methods !== undefined && !route.methods.has(verb)) continue;
        if (!paths.some((p) => covers(route.prefix, p))) continue;
        if (route.acr !== undefined) acr = Math.max(acr, ACR_VALUES.indexOf(route.acr));
        if (route.maxAge !== undefined) maxAge = Math.min(maxAge ?? route.maxAge, route.maxAge);
      }
      if (acr === -1 && maxAge === undefined) return undefined;
      return { acr: acr === -1 ? undefined : ACR_VALUES[acr], maxAge };
    },
  };
}

/** Short acr names the `--route` flag accepts beside the full values. */
const ACR_NAMES: Readonly<Record<string, Acr>> = {
  password: ACR.password,
  mfa: ACR.mfa,
  phr: ACR.phishingResistant,
};

/**
 * Reads one `--route` flag: `[METHODS] PATH [acr=ACR] [max-age=SECONDS]`, space-separated; METHODS
 * comma-separated; ACR `password`, `mfa`, `phr` or a full acr value. Throws ERR_GUARD_OPTIONS_INVALID
 * (option `--route`) saying what is wrong with which rule.
 * @example
 * parseRouteFlag('DELETE,POST /rooms acr=mfa max-age=300');
 * // { path: '/rooms', methods: ['DELETE', 'POST'], acr: 'urn:keycard:acr:mfa', maxAge: 300 }
 */
export function parseRouteFlag(spec: string): GatewayRoute {
  const shown = JSON.stringify(spec.slice(0, 200));
  const bad = (problem: string) => optionError('--route', `${shown}: ${problem}`);
  let path: string | undefined;
  let methods: string[] | undefined;
  let acr: string | undefined;
  let maxAge: number | undefined;
  for (const part of spec.split(/[ \t]+/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (part.startsWith('/')) {
      if (path !== undefined) throw bad('names two paths');
      path = part;
    } else if (eq > 0) {
      const key = part.slice(0, eq);
      const value = part.slice(eq + 1);
      if (key === 'acr' && acr === undefined) acr = ACR_NAMES[value] ?? value;
      else if (key === 'max-age' && maxAge === undefined) {
        if (!/^\d{1,10}$/.test(value)) throw bad('max-age must be a non-negative integer of seconds');
        maxAge = Number(value);
      } else throw bad(`${key}= is unknown or repeated (acr=, max-age=)`);
    } else {
      if (methods !== undefined) throw bad('names two method lists (write them as GET,POST)');
      methods = part.split(',').map((m) => m.toUpperCase());
    }
  }
  if (path === undefined) throw bad('needs a path starting with /');
  const route: GatewayRoute = { path, methods, acr, maxAge };
  try {
    compileRoutes([route]);
  } catch (error) {
    if (!isGuardError(error) || error.option === undefined) throw error;
    const problem = error.message.slice(`guard option "${error.option}" `.length);
    throw bad(`${error.option.replace(/^routes\[0\]\.?/, '') || 'the rule'} ${problem}`);
  }
  return route;
}
