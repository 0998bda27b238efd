/* Scanning with no network: the lists kept on the phone, the provisional verdict, the queue's sync.
 *
 * The public keys, the campaigns' number ranges and validity days, and the revocation list (with the
 * server's cursor) are fetched while online and kept (store.js); judge.js decides with them, and
 * signatures are checked with WebCrypto's Ed25519, or @noble/ed25519 where the browser lacks it.
 */
import {classify, client} from "./api.js";
import {numberOf} from "./codes.js";
import {applyRevocations, judge} from "./judge.js";
import {byScanTime, forgotten, nextBatch, queuedScan, settle, wire} from "./queue.js";
import {allScans, deleteScan, getMeta, putScan, setMeta} from "./store.js";

const SYNC_TIMEOUT_MS = 20000;
const MAX_REVOCATION_PAGES = 100;

let keys = {}, campaigns = [], blocked = new Set(), cursor = null, verifier = null;

/** Load the kept lists, and forget the answered scans old enough. */
export async function load() {
  keys = (await getMeta("keys")) || {};
  campaigns = (await getMeta("campaigns")) || [];
  const revocations = (await getMeta("revocations")) || {};
  blocked = new Set(revocations.blocked || []);
  cursor = revocations.cursor || null;
  const now = Date.now();
  (await allScans()).forEach((item) => { if (forgotten(item, now)) deleteScan(item.nonce); });
}

/** Tell whether the phone holds what it needs to judge a ticket (at least one key). */
export function ready() { return Object.keys(keys).length > 0; }

async function getJson(url) {
  const response = await fetch(url, {credentials: "same-origin"});
  if (!response.ok) throw new Error(`${url} ${response.status}`);
  return response.json();
}

/** Fetch the keys, the campaigns and what changed in the revocation list since our cursor; keep them. */
export async function refresh(urls) {
  const fresh = {};
  (await getJson(urls.keys)).keys.forEach((key) => { fresh[key.kid] = key.public_key; });
  const campaignList = (await getJson(urls.campaigns)).campaigns;
  for (let page = 0; page < MAX_REVOCATION_PAGES; page++) {
    const answer = await getJson(urls.revocations + (cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""));
    applyRevocations(blocked, answer);
    cursor = answer.cursor;
    await setMeta("revocations", {cursor, blocked: Array.from(blocked)});
    if (answer.complete) break;
  }
  keys = fresh;
  campaigns = campaignList;
  await setMeta("keys", keys);
  await setMeta("campaigns", campaigns);
}

/** Return verify(publicKey, signature, message): WebCrypto's Ed25519 if it has it, else the npm library. */
export async function makeVerifier(nobleSrc) {
  try {  // probe WebCrypto's Ed25519 once with a throwaway key
    const probe = await crypto.subtle.generateKey({name: "Ed25519"}, false, ["sign", "verify"]);
    if (probe) {
      return async (publicKey, signature, message) => {
        const key = await crypto.subtle.importKey("raw", publicKey, {name: "Ed25519"}, false, ["verify"]);
        return crypto.subtle.verify({name: "Ed25519"}, key, signature, message);
      };
    }
  } catch (error) { /* no Ed25519 in this browser's WebCrypto: use the audited library */ }
  const noble = await import(nobleSrc);
  return (publicKey, signature, message) => noble.verifyAsync(signature, message, publicKey);
}

/** Make the verifier while online, so the library (if this browser needs it) is fetched and kept. */
export async function warmUp(nobleSrc) {
  verifier = verifier || await makeVerifier(nobleSrc);
}

/** Judge a scan with the kept lists (context: timeZone, firstDay, lastDay, nobleSrc) and queue it if accepted.
 *
 * Resolve to {item} (the queued scan, provisionally accepted) or {reason} (refused on the phone).
 */
export async function judgeAndQueue(body, context) {
  const verify = async (...args) => {
    await warmUp(context.nobleSrc);
    return verifier(...args);
  };
  const now = new Date();
  const found = await judge(body, now, {timeZone: context.timeZone, firstDay: context.firstDay,
                                        lastDay: context.lastDay, keys, campaigns, blocked,
                                        scanned: await allScans(), verify});
  if (found.reason) return found;
  const item = queuedScan(body, found.number, now);
  await putScan(item);
  return {item};
}

/** Return the scan kept and still waiting for this very ticket entry at this workshop, or undefined. */
export async function waitingFor(body) {
  const number = numberOf(body);
  return (await allScans()).find((item) => item.state === "pending" && item.workshop_id === body.workshop_id
    && item.number === number && item.code === body.code && item.check_code === body.check_code);
}

/** Keep a scan the server did not judge (a lost session, a server or network failure), to send it later.
 *
 * It is not judged here: the server judges it at sync, with the nonce made at scan time. Resolve
 * to the queued scan (the one already waiting, if this very ticket entry is kept), or null if the
 * code or serial cannot be read.
 */
export async function keepForLater(body) {
  const number = numberOf(body);
  if (number === null) return null;
  const waiting = await waitingFor(body);
  if (waiting) return waiting;
  const item = queuedScan(body, number, new Date());
  await putScan(item);
  return item;
}

/** Record the server's verdict on a kept scan sent again by hand (same nonce); resolve to it, or null. */
export async function settleKept(nonce, status, data) {
  const item = (await allScans()).find((scan) => scan.nonce === nonce && scan.state === "pending");
  if (!item || !settle(item, {nonce, status, body: data})) return null;
  await putScan(item);
  return item;
}

/** Return how many scans wait to be sent (all workshops). */
export async function waitingCount() {
  return (await allScans()).filter((item) => item.state === "pending").length;
}

/** Return a workshop's queued scans, in order of scanning. */
export async function scansOf(workshopId) {
  return byScanTime((await allScans()).filter((item) => item.workshop_id === workshopId));
}

/** Send the pending scans, oldest first, a batch at a time; keep each answer as soon as it comes.
 *
 * A scan leaves "pending" only with its answer: an interrupted sync sends it again with the same
 * nonce, and the server answers a replayed nonce as it did the first time. Resolve true once
 * nothing is pending, false if the network or the server failed, "signed_out" if the session
 * ended (the queue is kept in every case). `onResult(item)` is told of each answered scan.
 */
export async function sync(url, csrfToken, onResult, loginPath) {
  const send = client(csrfToken, {timeoutMs: SYNC_TIMEOUT_MS, retryDelaysMs: []});
  for (;;) {
    const pending = nextBatch(await allScans());
    if (!pending.length) return true;
    const answer = await send("POST", url, {items: pending.map(wire)});
    const kind = classify(answer, loginPath).kind;
    if (kind === "session") return "signed_out";
    if (kind !== "accepted" || !Array.isArray(answer.data.results)) return false;
    const results = answer.data.results;
    for (let i = 0; i < results.length; i++) {
      const item = pending[i];
      if (!item || !settle(item, results[i])) return false;
      blocked.add(item.number);
      await putScan(item);
      onResult(item);
    }
  }
}
