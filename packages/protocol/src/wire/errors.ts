/** An error from an OAuth endpoint (`/oauth/*`), RFC 6749 §5.2, with keycard's stable `code`. */
export interface OAuthErrorBody {
  error: string;
  error_description?: string;
  /** keycard's error code, e.g. `ERR_INVALID_GRANT`. */
  code?: string;
}

/** An error from every other endpoint (`/api/*`, `/revocations`): the stable code and a public message. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}
