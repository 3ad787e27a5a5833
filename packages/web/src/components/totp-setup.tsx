interface TotpSetupProps {
  /** Base32 secret, for typing into the app by hand. */
  secret: string;
  /** The otpauth URI as an SVG QR code, made by our server. */
  qrSvg: string;
}

/**
 * The QR code and the secret of a new TOTP factor. The SVG is our server's markup, but it is still
 * shown as an image (`data:` URL) and never inserted into the page: an image cannot run script or
 * reach the page's DOM.
 */
export function TotpSetup({ secret, qrSvg }: TotpSetupProps) {
  const groups = secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? [];
  return (
    <div class="totp-setup" data-testid="totp-setup">
      <img
        class="totp-qr"
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg)}`}
        alt="QR code for your authenticator app"
        width={200}
        height={200}
        data-testid="totp-qr"
      />
      <div>
        <p class="small">Scan the code with your authenticator app, or type this key into it:</p>
        <code class="totp-secret" data-testid="totp-secret" data-secret={secret}>
          {groups.join(' ')}
        </code>
      </div>
    </div>
  );
}
