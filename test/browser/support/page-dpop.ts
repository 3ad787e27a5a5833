// The page's own DPoP key, used from inside the page: the test plays an attacker who has the
// browser's key (e.g. runs script in the page) and a card stolen from another door. The key is
// read from IndexedDB as the app stores it; it stays non-extractable, only signing is possible.
import type { Page } from 'playwright-core';

/** Whether the page's stored proof key exists and its private half is non-extractable. */
export function pageKeyFacts(page: Page): Promise<{ stored: boolean; extractable: boolean | null }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('keycard', 1);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const pair = await new Promise<CryptoKeyPair | undefined>((resolve, reject) => {
      const req = db.transaction('dpop', 'readonly').objectStore('dpop').get('proof-key');
      req.onsuccess = () => resolve(req.result as CryptoKeyPair | undefined);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return { stored: pair !== undefined, extractable: pair ? pair.privateKey.extractable : null };
  });
}

/** A DPoP proof for `method url` (with `ath` of `card`) signed in the page with its stored key. */
export function proofInPage(page: Page, method: string, url: string, card: string): Promise<string> {
  return page.evaluate(
    async ({ method, url, card }) => {
      const b64 = (bytes: ArrayBuffer | Uint8Array) =>
        btoa(String.fromCharCode(...new Uint8Array(bytes)))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '');
      const json = (v: unknown) => b64(new TextEncoder().encode(JSON.stringify(v)));
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('keycard', 1);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const pair = await new Promise<CryptoKeyPair>((resolve, reject) => {
        const req = db.transaction('dpop', 'readonly').objectStore('dpop').get('proof-key');
        req.onsuccess = () => resolve(req.result as CryptoKeyPair);
        req.onerror = () => reject(req.error);
      });
      db.close();
      const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
      const u = new URL(url);
      const claims = {
        jti: crypto.randomUUID(),
        htm: method,
        htu: `${u.protocol}//${u.host}${u.pathname}`,
        iat: Math.floor(Date.now() / 1000),
        ath: b64(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(card))),
      };
      const input = `${json({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })}.${json(claims)}`;
      const sig = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.privateKey,
        new TextEncoder().encode(input),
      );
      return `${input}.${b64(sig)}`;
    },
    { method, url, card },
  );
}

/** Taps a door and returns the Authorization and DPoP headers the page sent to it. */
export async function captureAtDoor(
  page: Page,
  doorId: string,
  urlPart: string,
): Promise<{ authorization: string; dpop: string; url: string }> {
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().includes(urlPart) && r.method() !== 'OPTIONS'),
    page.getByTestId(`door-${doorId}`).click(),
  ]);
  const headers = await request.allHeaders();
  await page.locator(`[data-testid="door-${doorId}-result"]:not([data-result="pending"])`).waitFor();
  return { authorization: headers.authorization ?? '', dpop: headers.dpop ?? '', url: request.url() };
}
