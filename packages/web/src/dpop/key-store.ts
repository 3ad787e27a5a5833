/**
 * Where the browser keeps its DPoP key: IndexedDB (`keycard` database, `dpop` store), which can
 * hold a CryptoKey without exporting it. Created on first use; every tab of the origin shares it,
 * so a card bound to it works in each of them. Without IndexedDB the key lives in memory only.
 */
import { type DpopKey, dpopKeyFrom, generateDpopKeyPair } from './proof.js';

const DB_NAME = 'keycard';
const STORE = 'dpop';
const KEY_ID = 'proof-key';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openDb(factory: IDBFactory): Promise<IDBDatabase> {
  const request = factory.open(DB_NAME, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(STORE);
  return promised(request);
}

function isKeyPair(value: unknown): value is CryptoKeyPair {
  const pair = value as Partial<CryptoKeyPair> | undefined;
  return pair?.privateKey instanceof CryptoKey && pair.publicKey instanceof CryptoKey;
}

/**
 * Puts `fresh` in the store unless a key is there already, in one read-write transaction (IndexedDB
 * runs those one at a time), so two tabs creating a key at once end up with the same one.
 */
function keepFirst(db: IDBDatabase, fresh: CryptoKeyPair): Promise<CryptoKeyPair> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    let kept = fresh;
    const read = store.get(KEY_ID);
    read.onsuccess = () => {
      if (isKeyPair(read.result)) kept = read.result;
      else store.put(fresh, KEY_ID);
    };
    tx.oncomplete = () => resolve(kept);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Loads the origin's DPoP key from IndexedDB, creating it the first time. */
export async function loadOrCreateStoredKey(factory: IDBFactory): Promise<DpopKey> {
  const db = await openDb(factory);
  try {
    const existing: unknown = await promised(
      db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY_ID),
    );
    if (isKeyPair(existing)) return await dpopKeyFrom(existing);
    return await dpopKeyFrom(await keepFirst(db, await generateDpopKeyPair()));
  } finally {
    db.close();
  }
}

/**
 * A function that returns the DPoP key, loading or creating it once (then cached in memory).
 *
 * @example
 * const getKey = dpopKeyLoader();
 * const proof = await createDpopProof(await getKey(), { method: 'POST', url });
 */
export function dpopKeyLoader(
  factory: IDBFactory | undefined = typeof indexedDB === 'undefined' ? undefined : indexedDB,
): () => Promise<DpopKey> {
  let loading: Promise<DpopKey> | undefined;
  const load = async (): Promise<DpopKey> => {
    if (factory) {
      try {
        return await loadOrCreateStoredKey(factory);
      } catch {
        // private browsing modes may refuse IndexedDB: fall back to a key for this tab only
      }
    }
    return dpopKeyFrom(await generateDpopKeyPair());
  };
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
