import qrcode from 'qrcode';
import { ServerError } from '../errors.js';

/** Longest text drawn: an otpauth URI of the longest username and `mfa.rpName` is far below it. */
export const MAX_QR_TEXT_LENGTH = 1024;

/**
 * An SVG image of a QR code of `uri` (the otpauth URI of a TOTP enrolment), for the web page to
 * show. The SVG holds only paths: nothing of the text is in it as markup.
 *
 * @example
 * ```ts
 * const qr_svg = await qrSvg(otpauthUri({ issuerLabel, accountName, secret }));
 * ```
 */
export async function qrSvg(uri: string): Promise<string> {
  if (uri.length === 0 || uri.length > MAX_QR_TEXT_LENGTH) {
    throw new ServerError('ERR_INTERNAL', { cause: new Error(`QR text of ${uri.length} characters`) });
  }
  return qrcode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
