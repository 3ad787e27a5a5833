import type { AdminClient } from '../../api/admin.js';

/** How a client proves who it is: nothing (public), a secret, its public keys, or both. */
export function ClientCredentials({ client }: { client: AdminClient }) {
  const kids = client.jwks?.keys.map((k) => k.kid) ?? [];
  const parts = [
    ...(client.hasSecret ? ['secret'] : []),
    ...(kids.length > 0 ? [`keys: ${kids.join(', ')}`] : []),
  ];
  return (
    <div class="muted small" data-testid={`admin-client-${client.id}-credentials`}>
      {parts.length === 0 ? 'no credentials' : parts.join(' + ')}
    </div>
  );
}

/** A code-flow client's redirect URIs, where logout sends the browser back, and its back-channel URI. */
export function ClientFlowUris({ client }: { client: AdminClient }) {
  const lines: [string, string][] = [
    ...(client.redirectUris ?? []).map((uri): [string, string] => ['', uri]),
    ...(client.postLogoutRedirectUris ?? []).map((uri): [string, string] => ['after sign-out: ', uri]),
    ...(client.backchannelLogoutUri
      ? [['back-channel: ', client.backchannelLogoutUri] as [string, string]]
      : []),
  ];
  if (lines.length === 0) {
    return (
      <span class="chips-empty" data-testid={`admin-client-${client.id}-uris`}>
        none
      </span>
    );
  }
  return (
    <ul class="uri-list" data-testid={`admin-client-${client.id}-uris`}>
      {lines.map(([label, uri]) => (
        <li key={label + uri}>
          {label ? <span class="muted small">{label}</span> : null}
          <code>{uri}</code>
        </li>
      ))}
    </ul>
  );
}
