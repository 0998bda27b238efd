/* The queue of scans made offline: what is kept, what is sent, what an answer does to it.
 *
 * Each scan keeps the nonce and time made at scan time, so the server answers a scan sent twice
 * as it did the first time. Pure logic (tests/js/queue.test.mjs); storage is store.js's.
 */

export const BATCH = 100;
const KEEP_DONE_MS = 3 * 24 * 3600 * 1000;  // synced scans stay a few days: duplicates are refused locally
const TICKET_FIELDS = ["code", "serial", "check_code"];

/** Return the queue item of a ticket judged on the phone, pending until the server answers. */
export function queuedScan(body, number, now) {
  const item = {nonce: body.nonce, workshop_id: body.workshop_id, number,
                scanned_at: now.toISOString(), state: "pending"};
  TICKET_FIELDS.forEach((key) => { if (body[key] !== undefined) item[key] = body[key]; });
  return item;
}

/** Return a queue item as the batch API takes it. */
export function wire(item) {
  const out = {nonce: item.nonce, workshop_id: item.workshop_id, scanned_at: item.scanned_at};
  TICKET_FIELDS.forEach((key) => { if (item[key] !== undefined) out[key] = item[key]; });
  return out;
}

/** Return the items in order of scanning. */
export function byScanTime(items) {
  return items.slice().sort((a, b) => (a.scanned_at < b.scanned_at ? -1 : 1));
}

/** Return the next pending scans to send: the oldest first, at most BATCH. */
export function nextBatch(items) {
  return byScanTime(items.filter((item) => item.state === "pending")).slice(0, BATCH);
}

/** Record the server's answer to one item; return false if it is no answer yet (send it again later). */
export function settle(item, result) {
  if (!result || result.nonce !== item.nonce || result.status >= 500 || result.status === 429) return false;
  if (result.status < 300) {
    item.state = "confirmed";
    item.id = result.body.id;
  } else {  // the server's word: a conflict (redeemed elsewhere meanwhile, cancelled...), kept for review
    item.state = "conflict";
    item.reason = result.body.reason;
    item.message = result.body.message;
  }
  return true;
}

/** Tell whether an answered scan is old enough to be forgotten (a pending one never is). */
export function forgotten(item, now) {
  return item.state !== "pending" && now - Date.parse(item.scanned_at) > KEEP_DONE_MS;
}
