import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';

/**
 * The authenticator's answer as the page posts it (the JSON form `PublicKeyCredential.toJSON()`
 * and @simplewebauthn/browser give), checked for shape and size before the WebAuthn library reads
 * a byte of it.
 */

const b64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/);

/** A credential id is at most 1023 bytes (WebAuthn §5.8.3): 1364 base64url characters. */
export const MAX_CREDENTIAL_ID_LENGTH = 1364;

const common = {
  id: b64url(MAX_CREDENTIAL_ID_LENGTH),
  rawId: b64url(MAX_CREDENTIAL_ID_LENGTH),
  type: z.literal('public-key'),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional().default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};

const registrationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64url(4096),
    // Room for an attestation statement with a certificate chain, though 'none' is asked for.
    attestationObject: b64url(32_768),
    transports: z.array(z.string().max(32)).max(16).optional(),
  }),
});

const authenticationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(4096),
    signature: b64url(2048),
    userHandle: b64url(128).nullish(),
  }),
});

/** The answer to a registration, or throws (the caller maps it to ERR_PASSKEY_INVALID). */
export function parseRegistrationResponse(value: unknown): RegistrationResponseJSON {
  const parsed = registrationSchema.parse(value);
  refuseCrossOrigin(parsed.response.clientDataJSON);
  return parsed as RegistrationResponseJSON;
}

/** The answer to an authentication, or throws (the caller maps it to ERR_PASSKEY_INVALID). */
export function parseAuthenticationResponse(value: unknown): AuthenticationResponseJSON {
  const parsed = authenticationSchema.parse(value);
  refuseCrossOrigin(parsed.response.clientDataJSON);
  const { userHandle, ...response } = parsed.response;
  return {
    ...parsed,
    response: userHandle === null || userHandle === undefined ? response : { ...response, userHandle },
  } as AuthenticationResponseJSON;
}

/**
 * The credential id an answer names, or undefined when it is not a well-formed answer: what a
 * passkey sign-in looks the passkey up by before verifying.
 *
 * @example
 * ```ts
 * const id = credentialIdOf(body.response);
 * const passkey = id === undefined ? undefined : await ctx.storage.passkeys.getByCredentialId(id);
 * ```
 */
export function credentialIdOf(value: unknown): string | undefined {
  const parsed = authenticationSchema.safeParse(value);
  return parsed.success ? parsed.data.id : undefined;
}

/**
 * keycard's pages are never framed by another site, so a ceremony run in a cross-origin frame is
 * someone else's page borrowing ours (the library checks this only when the browser names the top
 * origin).
 */
function refuseCrossOrigin(clientDataJSON: string): void {
  const clientData = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as unknown;
  if (typeof clientData !== 'object' || clientData === null)
    throw new Error('clientDataJSON is not an object');
  if ((clientData as { crossOrigin?: unknown }).crossOrigin === true) {
    throw new Error('a ceremony in a cross-origin frame');
  }
}
