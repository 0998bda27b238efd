/* What the phone keeps across visits: IndexedDB "pass-numerique-scan".
 *
 * Store "meta": the public keys, the campaigns, the revocation list and its cursor (offline.js).
 * Store "queue": the scans made offline, by nonce (queue.js says what an item holds).
 */

const DB_NAME = "pass-numerique-scan", DB_VERSION = 1;

let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open() {
  opened = opened || new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      req.result.createObjectStore("meta");
      req.result.createObjectStore("queue", {keyPath: "nonce"});
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

async function store(name, mode) {
  return (await open()).transaction(name, mode).objectStore(name);
}

/** Return a kept list (undefined if never kept). */
export async function getMeta(key) { return request((await store("meta", "readonly")).get(key)); }
/** Keep a list. */
export async function setMeta(key, value) { return request((await store("meta", "readwrite")).put(value, key)); }
/** Add or update a scan of the queue. */
export async function putScan(item) { return request((await store("queue", "readwrite")).put(item)); }
/** Remove a scan from the queue. */
export async function deleteScan(nonce) { return request((await store("queue", "readwrite")).delete(nonce)); }
/** Return every scan of the queue, all workshops. */
export async function allScans() { return request((await store("queue", "readonly")).getAll()); }
