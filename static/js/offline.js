/* What the scan page needs to judge tickets with no network, kept on the phone (window.ScanOffline).
 *
 * - IndexedDB "pass-numerique-scan": the public keys, the campaigns' number ranges and validity
 *   days, the revocation list (ticket numbers to refuse, with the server's cursor) and the queue
 *   of scans made offline, each with the nonce and time made at scan time.
 * - A verdict offline is only provisional: signature (WebCrypto Ed25519, or @noble/ed25519 where
 *   the browser lacks it), validity dates on the device clock, the revocation list, and the
 *   tickets already scanned on this phone. The server has the last word at synchronisation.
 */
(function () {
  "use strict";

  var DB_NAME = "pass-numerique-scan", DB_VERSION = 1;
  var KEEP_DONE_MS = 3 * 24 * 3600 * 1000;  // synced scans stay a few days: duplicates are refused locally
  var BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  var CODE_RE = /^[A-Z2-7]{112}$/;

  /* ---- IndexedDB ------------------------------------------------------------------------ */

  var dbPromise = null;

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function open() {
    dbPromise = dbPromise || new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = function () {
        req.result.createObjectStore("meta");
        req.result.createObjectStore("queue", {keyPath: "nonce"});
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }

  async function store(name, mode) {
    return (await open()).transaction(name, mode).objectStore(name);
  }

  async function getMeta(key) { return request((await store("meta", "readonly")).get(key)); }
  async function setMeta(key, value) { return request((await store("meta", "readwrite")).put(value, key)); }
  async function putScan(item) { return request((await store("queue", "readwrite")).put(item)); }
  async function deleteScan(nonce) { return request((await store("queue", "readwrite")).delete(nonce)); }
  async function allScans() { return request((await store("queue", "readonly")).getAll()); }

  /* ---- The lists kept from the server ------------------------------------------------------ */

  var keys = {}, campaigns = [], blocked = new Set(), cursor = null;

  function runsToNumbers(runs) {
    var numbers = [], end = 0;
    for (var i = 0; i + 1 < runs.length; i += 2) {
      var start = end + runs[i];
      for (var n = start; n < start + runs[i + 1]; n++) numbers.push(n);
      end = start + runs[i + 1];
    }
    return numbers;
  }

  async function load() {
    keys = (await getMeta("keys")) || {};
    campaigns = (await getMeta("campaigns")) || [];
    var revocations = (await getMeta("revocations")) || {};
    blocked = new Set(revocations.blocked || []);
    cursor = revocations.cursor || null;
    var now = Date.now();
    (await allScans()).forEach(function (item) {
      if (item.state !== "pending" && now - Date.parse(item.scanned_at) > KEEP_DONE_MS) deleteScan(item.nonce);
    });
  }

  function ready() { return Object.keys(keys).length > 0; }

  async function getJson(url) {
    var response = await fetch(url, {credentials: "same-origin"});
    if (!response.ok) throw new Error(url + " " + response.status);
    return response.json();
  }

  /* Fetch keys, campaigns and what changed in the revocation list since our cursor. */
  async function refresh(urls) {
    var keyList = (await getJson(urls.keys)).keys, fresh = {};
    keyList.forEach(function (key) { fresh[key.kid] = key.public_key; });
    var campaignList = (await getJson(urls.campaigns)).campaigns;
    for (var page = 0; page < 100; page++) {
      var url = urls.revocations + (cursor ? "?cursor=" + encodeURIComponent(cursor) : "");
      var answer = await getJson(url);
      runsToNumbers(answer.blocked).forEach(function (n) { blocked.add(n); });
      runsToNumbers(answer.unblocked).forEach(function (n) { blocked.delete(n); });
      cursor = answer.cursor;
      await setMeta("revocations", {cursor: cursor, blocked: Array.from(blocked)});
      if (answer.complete) break;
    }
    keys = fresh;
    campaigns = campaignList;
    await setMeta("keys", keys);
    await setMeta("campaigns", campaigns);
  }

  /* ---- Codes and signatures ----------------------------------------------------------------- */

  function base32(text) {
    var bytes = new Uint8Array(Math.floor(text.length * 5 / 8)), bits = 0, value = 0, index = 0;
    for (var i = 0; i < text.length; i++) {
      value = (value << 5) | BASE32.indexOf(text[i]);
      bits += 5;
      if (bits >= 8) { bytes[index++] = (value >>> (bits - 8)) & 255; bits -= 8; }
    }
    return bytes;
  }

  function base64url(text) {
    var binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(binary, function (c) { return c.charCodeAt(0); });
  }

  var verifier = null;

  async function makeVerifier(nobleSrc) {
    try {  // probe WebCrypto's Ed25519 once with a throwaway key
      var probe = await crypto.subtle.generateKey({name: "Ed25519"}, false, ["sign", "verify"]);
      if (probe) {
        return async function (publicKey, signature, message) {
          var key = await crypto.subtle.importKey("raw", publicKey, {name: "Ed25519"}, false, ["verify"]);
          return crypto.subtle.verify({name: "Ed25519"}, key, signature, message);
        };
      }
    } catch (error) { /* no Ed25519 in this browser's WebCrypto: use the audited library */ }
    var noble = await import(nobleSrc);
    return function (publicKey, signature, message) { return noble.verifyAsync(signature, message, publicKey); };
  }

  function ticketNumber(bytes) {
    return ((bytes[2] << 24) >>> 0) + (bytes[3] << 16) + (bytes[4] << 8) + bytes[5];
  }

  /* Return {number} for a genuine code, or {reason} for one to refuse. */
  async function checkCode(text, nobleSrc) {
    if (!CODE_RE.test(text)) return {reason: "malformed"};
    var raw = base32(text);
    if (raw[0] !== 1) return {reason: "malformed"};
    var publicKey = keys[raw[1]];
    if (!publicKey) return {reason: "unknown_key"};
    verifier = verifier || await makeVerifier(nobleSrc);
    var genuine = await verifier(base64url(publicKey), raw.slice(6), raw.slice(0, 6));
    return genuine ? {number: ticketNumber(raw)} : {reason: "bad_signature"};
  }

  /* ---- Judging a ticket on the phone ------------------------------------------------------- */

  function localDay(date, timeZone) {
    return new Intl.DateTimeFormat("en-CA", {timeZone: timeZone, year: "numeric", month: "2-digit",
                                             day: "2-digit"}).format(date);  // YYYY-MM-DD
  }

  function dateReason(number, today) {
    var campaign = campaigns.find(function (c) { return c.first_number <= number && number <= c.last_number; });
    if (!campaign) return "unknown_ticket";
    if (today > campaign.valid_until) return "expired";
    if (today < campaign.valid_from) return "not_yet_valid";
    return null;
  }

  /* Judge a scan offline: {number} if it may be accepted provisionally, {reason} otherwise. */
  async function judge(body, context) {
    var today = localDay(new Date(), context.timeZone);
    if (today < context.firstDay || today > context.lastDay) return {reason: "workshop_not_open"};
    var number;
    if (body.code !== undefined) {
      var checked = await checkCode(body.code, context.nobleSrc);
      if (checked.reason) return checked;
      number = checked.number;
    } else {  // a typed serial: its check digit is read here, its check code by the server later
      var digits = String(body.serial).replace(/[\s.\-]/g, "");
      if (!/^\d{10}$/.test(digits) || luhn(digits.slice(0, 9)) !== digits[9]) return {reason: "malformed"};
      number = parseInt(digits.slice(0, 9), 10);
    }
    if (blocked.has(number)) return {reason: "blocked"};
    var scanned = await allScans();
    if (scanned.some(function (item) { return item.number === number && item.state !== "conflict"; })) {
      return {reason: "scanned_here"};
    }
    return {number: number, reason: dateReason(number, today)};
  }

  function luhn(digits) {
    var total = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = parseInt(digits[digits.length - 1 - i], 10);
      if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
      total += d;
    }
    return String((10 - total % 10) % 10);
  }

  function serialOf(number) {
    var body = String(number).padStart(9, "0");
    return body + luhn(body);
  }

  /* ---- Sending the queue ------------------------------------------------------------------ */

  var BATCH = 100, SYNC_TIMEOUT_MS = 20000;

  function wire(item) {
    var out = {nonce: item.nonce, workshop_id: item.workshop_id, scanned_at: item.scanned_at};
    ["code", "serial", "check_code"].forEach(function (key) { if (item[key] !== undefined) out[key] = item[key]; });
    return out;
  }

  async function postBatch(url, csrfToken, items) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, SYNC_TIMEOUT_MS);
    try {
      var response = await fetch(url, {
        method: "POST", credentials: "same-origin", signal: controller.signal,
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken},
        body: JSON.stringify({items: items.map(wire)})
      });
      if (response.status === 401) return "signed_out";
      return response.ok ? (await response.json()).results : null;
    } finally {
      clearTimeout(timer);
    }
  }

  /* Send the pending scans, oldest first, a batch at a time; keep each answer as soon as it comes.
   * A scan leaves "pending" only with its answer: an interrupted sync sends it again with the same
   * nonce, and the server answers a replayed nonce as it did the first time. Resolve true once
   * nothing is pending, false if the network or the server failed, "signed_out" if the session
   * ended (the queue is kept in every case). */
  async function sync(url, csrfToken, onResult) {
    for (;;) {
      var pending = (await allScans()).filter(function (item) { return item.state === "pending"; });
      if (!pending.length) return true;
      pending.sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; });
      pending = pending.slice(0, BATCH);
      var results;
      try {
        results = await postBatch(url, csrfToken, pending);
      } catch (error) {
        return false;
      }
      if (!results || results === "signed_out") return results || false;
      for (var i = 0; i < results.length; i++) {
        var result = results[i], item = pending[i];
        if (!item || result.nonce !== item.nonce || result.status >= 500 || result.status === 429) return false;
        if (result.status < 300) {
          item.state = "confirmed";
          item.id = result.body.id;
        } else {  // the server's word: a conflict (redeemed elsewhere meanwhile, cancelled...), kept for review
          item.state = "conflict";
          item.reason = result.body.reason;
          item.message = result.body.message;
        }
        blocked.add(item.number);
        await putScan(item);
        onResult(item);
      }
    }
  }

  /* Make the verifier while online, so the library (if this browser needs it) is fetched and kept. */
  async function warmUp(nobleSrc) {
    verifier = verifier || await makeVerifier(nobleSrc);
  }

  window.ScanOffline = {
    sync: sync, warmUp: warmUp,
    load: load, ready: ready, refresh: refresh, judge: judge, serialOf: serialOf,
    putScan: putScan, allScans: allScans, block: function (number) { blocked.add(number); }
  };
})();
