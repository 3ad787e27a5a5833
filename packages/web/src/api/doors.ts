/**
 * Calls a door service with a card, the way any client of a resource server would:
 * cross-origin, `Authorization: DPoP` with a proof (or `Bearer` for an unbound card), no
 * cookies. The door verifies the card, and the proof, itself.
 */
import { fetchWithProof } from '../dpop/fetch.js';
import type { CallCredentials } from './auth.js';
import type { Door } from './types.js';

export type DoorOutcome = 'opened' | 'denied' | 'unreachable';

export interface DoorResult {
  outcome: DoorOutcome;
  /** HTTP status (0 when the door never answered). */
  status: number;
  /** The door's error code and message when denied. */
  code: string | undefined;
  message: string;
  /** The JSON the door returned when it opened. */
  body: unknown;
  /** The `WWW-Authenticate` challenge of a refusal (why the card or the proof was refused). */
  challenge: string | undefined;
  /** When the attempt finished (ms since the epoch). */
  at: number;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/**
 * Taps a door with a card.
 *
 * @example
 * const result = await tryDoor(door, { token, tokenType: 'DPoP', proof });
 * if (result.outcome === 'denied') show(result.code, result.message);
 */
export async function tryDoor(door: Door, card: CallCredentials): Promise<DoorResult> {
  let response: Response;
  const method = door.method ?? 'GET';
  try {
    response = await fetchWithProof(
      door.url,
      {
        method,
        headers: { Authorization: `${card.tokenType} ${card.token}`, Accept: 'application/json' },
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(10_000),
      },
      card.proof,
    );
  } catch {
    return {
      outcome: 'unreachable',
      status: 0,
      code: undefined,
      message: `Cannot reach ${door.name}. Is the service running (and allowed by the page's connect-src)?`,
      body: undefined,
      challenge: undefined,
      at: Date.now(),
    };
  }
  const body = await readJson(response);
  if (response.ok) {
    return {
      outcome: 'opened',
      status: response.status,
      code: undefined,
      message: 'Opened',
      body,
      challenge: undefined,
      at: Date.now(),
    };
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    outcome: 'denied',
    status: response.status,
    code: typeof error?.code === 'string' ? error.code : undefined,
    message: typeof error?.message === 'string' ? error.message : `The door answered ${response.status}.`,
    body,
    challenge: response.headers.get('WWW-Authenticate') ?? undefined,
    at: Date.now(),
  };
}
