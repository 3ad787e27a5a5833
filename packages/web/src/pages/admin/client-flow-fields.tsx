import { TextAreaField, TextField } from '../../components/field.js';

/** The code-flow fields of the new-client form, as typed. */
export interface CodeFlowInput {
  redirectUris: string;
  postLogoutRedirectUris: string;
  backchannelLogoutUri: string;
}

/** The credential fields of a confidential client, as typed. */
export interface KeysInput {
  /** Pasted JSON: a JWK Set or one JWK. */
  jwks: string;
  /** No generated secret: the client signs in with its keys only (private_key_jwt). */
  noSecret: boolean;
}

interface FieldsProps<T> {
  value: T;
  onValue: (value: T) => void;
}

/** Where the authorization code flow and logout send the browser back (authorization_code grant). */
export function ClientCodeFlowFields({ value, onValue }: FieldsProps<CodeFlowInput>) {
  const set = (field: keyof CodeFlowInput) => (text: string) => onValue({ ...value, [field]: text });
  return (
    <>
      <TextAreaField
        id="admin-client-create-redirect-uris"
        label="Redirect URIs (one per line)"
        wide
        code
        value={value.redirectUris}
        onValue={set('redirectUris')}
        placeholder="https://app.example.com/callback"
        hint="Matched exactly. https, or http://127.0.0.1 / http://[::1] for a native app (any port), or com.example.app:/callback. No fragment, no wildcard."
      />
      <TextAreaField
        id="admin-client-create-post-logout-uris"
        label="Post-logout redirect URIs (one per line)"
        wide
        code
        rows={2}
        value={value.postLogoutRedirectUris}
        onValue={set('postLogoutRedirectUris')}
        hint="Where signing out may send the browser back; the same rules."
      />
      <TextField
        id="admin-client-create-backchannel-uri"
        label="Back-channel logout URI"
        wide
        verbatim
        value={value.backchannelLogoutUri}
        onValue={set('backchannelLogoutUri')}
        placeholder="https://app.example.com/backchannel-logout"
        hint="Optional. The server POSTs a logout token here when a sign-in ends; https (http only on 127.0.0.1, [::1] or localhost)."
      />
    </>
  );
}

/** A confidential client's public keys (private_key_jwt) and whether it also gets a secret. */
export function ClientKeyFields({ value, onValue }: FieldsProps<KeysInput>) {
  return (
    <>
      <TextAreaField
        id="admin-client-create-jwks"
        label="Public keys (JWK Set, optional)"
        wide
        code
        rows={4}
        value={value.jwks}
        onValue={(jwks) => onValue({ ...value, jwks })}
        placeholder='{"keys": [{"kty": "EC", "crv": "P-256", "x": "…", "y": "…", "kid": "key-1", "alg": "ES256"}]}'
        hint="For private_key_jwt: 1 to 10 public keys, each with its own kid and its alg. Never paste a private key."
      />
      <label class="check-label field-wide">
        <input
          type="checkbox"
          checked={value.noSecret}
          onChange={(e) => onValue({ ...value, noSecret: e.currentTarget.checked })}
          data-testid="admin-client-create-no-secret"
        />
        No client secret (the client signs in with its public keys only)
      </label>
    </>
  );
}
