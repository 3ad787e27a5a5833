/** Shapes of the keycard HTTP API (docs/http-api.md) that the app reads. */

export interface LoginUser {
  id: string;
  username: string;
  roles: string[];
}

/** POST /api/login and POST /api/refresh (with `cookie: true` the refresh token stays in the cookie). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  session_id?: string;
  user?: LoginUser;
  /** The one audience the card is for (`keycard` for the API, a door's name otherwise). */
  audience?: string;
}

export interface Door {
  id: string;
  name: string;
  url: string;
  /** The audience of the service behind the door: the card the app mints for it. */
  audience?: string;
  /** HTTP method of the door's action (default GET). */
  method?: 'GET' | 'POST';
  description?: string;
}

export interface UiConfig {
  issuer: string;
  doors: Door[];
}

export interface SessionInfo {
  id: string;
  clientId?: string;
  createdAt?: number | string;
  lastUsedAt?: number | string;
  expiresAt?: number | string;
  ip?: string | null;
  userAgent?: string | null;
  current?: boolean;
}

export interface InspectCheck {
  name: string;
  ok: boolean;
  code?: string;
  message?: string;
}

export interface InspectResult {
  header?: Record<string, unknown> | null;
  payload?: Record<string, unknown> | null;
  valid: boolean;
  checks: InspectCheck[];
}
