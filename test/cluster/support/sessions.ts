// Sign-in, refresh and logout over the first-party JSON API, each from a chosen client address.
import { CLIENT_ID, PASSWORD } from './cluster.js';
import { type Answer, call, freshAddress } from './http.js';

export interface Session {
  username: string;
  /** The client's own source address. */
  from: string;
  token: string;
  refreshToken: string;
  sessionId: string;
}

export const signInAnswer = (base: string, username: string, from: string, password = PASSWORD) =>
  call(`${base}/api/login`, { body: { username, password, client_id: CLIENT_ID }, from });

/** Signs in at `base` (nginx or one instance) from a fresh address; throws unless 200. */
export async function signIn(base: string, username: string, from = freshAddress()): Promise<Session> {
  const res = await signInAnswer(base, username, from);
  if (res.status !== 200) throw new Error(`sign-in of ${username} answered ${res.status}`);
  return {
    username,
    from,
    token: String(res.body['access_token']),
    refreshToken: String(res.body['refresh_token']),
    sessionId: String(res.body['session_id']),
  };
}

/** One refresh; on 200 the session takes the new card and refresh token. */
export async function refresh(base: string, session: Session): Promise<Answer> {
  const res = await call(`${base}/api/refresh`, {
    body: { refresh_token: session.refreshToken, client_id: CLIENT_ID },
    from: session.from,
  });
  if (res.status === 200) {
    session.token = String(res.body['access_token']);
    session.refreshToken = String(res.body['refresh_token']);
  }
  return res;
}

/** Logs the session out at `base`; throws unless 204. */
export async function logout(base: string, session: Session): Promise<void> {
  const res = await call(`${base}/api/logout`, {
    body: { refresh_token: session.refreshToken, client_id: CLIENT_ID },
    from: session.from,
  });
  if (res.status !== 204) throw new Error(`logout answered ${res.status}`);
}
