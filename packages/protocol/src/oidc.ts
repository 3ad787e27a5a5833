/**
 * OpenID Connect scopes (Core §5.4, §11): `openid`, `profile` and `email` ask for claims about the
 * signed-in user at `/oauth/userinfo` and in the ID token; `offline_access` asks for a refresh
 * token that outlives the browser session. None opens a door: no audience understands them.
 */
export const IDENTITY_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** One of {@link IDENTITY_SCOPES}. */
export type IdentityScope = (typeof IDENTITY_SCOPES)[number];

/** The `typ` header of an ID token: never `at+jwt`, so no access-token verifier accepts one. */
export const ID_TOKEN_TYP = 'JWT';

/** The UserInfo endpoint (OpenID Connect Core §5.3), relative to the issuer. */
export const USERINFO_PATH = '/oauth/userinfo';

/** Claims an ID token or the UserInfo endpoint may carry beyond `sub`, by the scope that allows them. */
export const IDENTITY_CLAIMS = {
  profile: ['preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
} as const;

/** The holder's own claims, as `/oauth/userinfo` answers them (times in seconds). */
export interface UserInfo {
  sub: string;
  /** With `profile`. */
  preferred_username?: string;
  /** With `profile`. */
  updated_at?: number;
  /** With `email`, when the user has an email claim. */
  email?: string;
  email_verified?: boolean;
}

/** The claims of a keycard ID token (OpenID Connect Core §2), times in seconds. */
export interface IdTokenClaims extends UserInfo {
  iss: string;
  /** The client the sign-in was for. */
  aud: string;
  azp: string;
  exp: number;
  iat: number;
  auth_time: number;
  sid: string;
  amr: string[];
  /** The sign-in's authentication context class (one of `ACR_VALUES`, derived from `amr`). */
  acr: string;
  /** The authorization request's `nonce`, when it sent one (code flow). */
  nonce?: string;
}

/** What a token response adds when the granted scope includes `openid`. */
export interface IdTokenField {
  id_token?: string;
}

/** The OpenID Connect metadata the discovery document adds to RFC 8414's. */
export interface OidcDiscoveryFields {
  userinfo_endpoint: string;
  id_token_signing_alg_values_supported: string[];
  subject_types_supported: string[];
  claims_supported: string[];
  /** OpenID Connect Discovery §3: the `acr` values served (keycard's `ACR_VALUES`, weakest first). */
  acr_values_supported: string[];
  /** OpenID Connect Core §3.1.2.1 `prompt` values the authorization endpoint understands. */
  prompt_values_supported?: string[];
  /**
   * RP-Initiated Logout 1.0; present only while the server serves its web pages (the sign-out
   * confirmation page among them).
   */
  end_session_endpoint?: string;
  /** Back-Channel Logout 1.0: logout tokens are POSTed to a client's `backchannel_logout_uri`, with `sid`. */
  backchannel_logout_supported: boolean;
  backchannel_logout_session_supported: boolean;
  /** Request objects and `claims` are not served (Discovery §3 defaults `request_uri_parameter_supported` to true). */
  request_parameter_supported: boolean;
  request_uri_parameter_supported: boolean;
  claims_parameter_supported: boolean;
}
