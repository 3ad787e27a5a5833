/**
 * Calls a door service with a card, the way any client of a resource server would:
 * cross-origin, `Authorization: Bearer`, no cookies. The door verifies the card itself.
 */
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
 * const result = await tryDoor(door, card.token);
 * if (result.outcome === 'denied') show(result.code, result.message);
 */
export async function tryDoor(door: Door, token: string): Promise<DoorResult> {
  let response: Response;
  try {
    response = await fetch(door.url, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    return {
      outcome: 'unreachable',
      status: 0,
      code: undefined,
      message: `Cannot reach ${door.name}. Is the service running (and allowed by the page's connect-src)?`,
      body: undefined,
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
    at: Date.now(),
  };
}
