/** RFC 8414 metadata as keycard serves it at both well-known discovery paths. */
export interface DiscoveryDocument {
  issuer: string;
  jwks_uri: string;
  token_endpoint: string;
  revocation_endpoint: string;
  introspection_endpoint: string;
  grant_types_supported: string[];
  response_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_methods_supported: string[];
  introspection_endpoint_auth_methods_supported: string[];
  scopes_supported: string[];
  access_token_signing_alg_values_supported: string[];
  dpop_signing_alg_values_supported: string[];
  /** RFC 6749 §3.1; present only while the server serves its sign-in pages. */
  authorization_endpoint?: string;
  /** `['query']`: the code flow answers in the redirect URI's query. */
  response_modes_supported?: string[];
  /** RFC 7636: `['S256']`. */
  code_challenge_methods_supported?: string[];
  /** RFC 9207: every authorization response carries `iss`. */
  authorization_response_iss_parameter_supported?: boolean;
  /** RFC 7523 `private_key_jwt`: the algorithms a client assertion may be signed with. */
  token_endpoint_auth_signing_alg_values_supported: string[];
  revocation_endpoint_auth_signing_alg_values_supported: string[];
  introspection_endpoint_auth_signing_alg_values_supported: string[];
  /** keycard's revocation feed, long-poll JSON pages. */
  keycard_revocations_endpoint: string;
  /** keycard's revocation feed, Server-Sent Events. */
  keycard_revocations_stream_endpoint: string;
}
