import type { Sealer } from '../crypto/index.js';

/** The sealing context of TOTP secrets: no other sealed value opens as one, and one opens as nothing else. */
export const TOTP_SECRET_CONTEXT = 'totp-secret';

/** What sealing and opening read. */
export interface TotpSecretDeps {
  sealer: Sealer;
}

/**
 * Seals a TOTP secret (base32) for storage (`TotpRecord.secretSealed`): AES-256-GCM under the
 * master key, bound to {@link TOTP_SECRET_CONTEXT}.
 *
 * @example
 * ```ts
 * await ctx.storage.totp.put({ userId, secretSealed: sealTotpSecret(ctx, secret), … });
 * ```
 */
export function sealTotpSecret(ctx: TotpSecretDeps, secret: string): string {
  return ctx.sealer.seal(secret, TOTP_SECRET_CONTEXT);
}

/**
 * Opens a sealed TOTP secret. A value that is not one (another context, tampered, another master
 * key) throws ERR_MASTER_KEY_INVALID (500): storage holds only values this server sealed.
 *
 * @example
 * ```ts
 * const step = verifyTotp(openTotpSecret(ctx, record.secretSealed), code, ctx.clock());
 * ```
 */
export function openTotpSecret(ctx: TotpSecretDeps, sealed: string): string {
  return ctx.sealer.open(sealed, TOTP_SECRET_CONTEXT);
}
