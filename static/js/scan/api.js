/* The JSON API client: one request, sent again unchanged when no answer comes, and what its answer means.
 *
 * A redemption carries a nonce made at scan time, and a retry sends the very same body: the server
 * answers a replayed nonce as it did the first time, so a retry can never validate a ticket twice.
 * Only a verdict on the ticket (accepted, or refused for a ticket reason) may be shown in green or
 * red: a lost session, too many attempts, a server failure or no answer at all say nothing about
 * the ticket, so the scan is kept and sent again (`classify`, pure: tests/js/answers.test.mjs).
 * No DOM here (tests/js/api.test.mjs runs it in Node against a real HTTP server).
 */

/** Return a new nonce: 16 random bytes in hex (crypto.getRandomValues works without HTTPS too). */
export function newNonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Return `send(method, url, body)`, resolving to {status, data, json, url}; status 0 means no answer at all.
 *
 * `json` tells whether the body was JSON (`data` is {} if not) and `url` is where the answer came
 * from after redirects (a login page instead of the API: see `classify` below).
 * Each attempt waits `timeoutMs` at most for the answer's headers; a missing answer (or a 5xx) is sent again after each of
 * `retryDelaysMs`, after calling `onRetry()`. A 5xx on the last attempt is returned as it is.
 */
export function client(csrfToken, {timeoutMs = 8000, retryDelaysMs = [1000], onRetry = () => {}} = {}) {
  return async function send(method, url, body) {
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const response = await fetch(url, {
          method, credentials: "same-origin", signal: controller.signal,
          headers: body ? {"Content-Type": "application/json", "X-CSRFToken": csrfToken} : {"X-CSRFToken": csrfToken},
          body: body ? JSON.stringify(body) : undefined,
        });
        clearTimeout(timer);
        if (response.status >= 500 && attempt < retryDelaysMs.length) throw new Error(`server ${response.status}`);
        const [data, json] = await response.json().then((value) => [value, true], () => [{}, false]);
        return {status: response.status, data, json, url: response.url};
      } catch (error) {
        clearTimeout(timer);
        if (attempt >= retryDelaysMs.length) return {status: 0, data: {}, json: false, url: ""};
        onRetry();
        await sleep(retryDelaysMs[attempt]);
      }
    }
  };
}

/** The reasons for which the server refuses a ticket at a workshop (partner_site/domain/errors.py). */
export const TICKET_REASONS = new Set([
  "malformed", "bad_signature", "unknown_key", "unknown_ticket", "bad_check_code", "not_activated", "cancelled",
  "expired", "not_yet_valid", "already_redeemed", "workshop_not_open", "workshop_full", "over_limit",
  "nonce_reused", "forbidden",
]);

/** Return what an answer of `send` ({status, data, json, url}) is: {kind, reason}.
 *
 * Kinds: "accepted" (a 2xx JSON answer), "refused" (a ticket reason), "session" (signed out: a 401,
 * the CSRF check failing, or the login page instead of JSON), "throttled" (429), "server" (a 5xx or
 * an answer that is not JSON), "network" (no answer), "error" (any other 4xx: the request itself
 * is at fault, so sending it again would not help).
 */
export function classify(answer, loginPath = "/login") {
  const status = answer.status, data = answer.data || {};
  const reason = typeof data.reason === "string" ? data.reason : "";
  if (!status) return {kind: "network", reason: ""};
  if (answer.json === false) {
    if (answer.url && pathOf(answer.url) === loginPath) return {kind: "session", reason: "login_page"};
    return {kind: status === 401 ? "session" : status === 429 ? "throttled" : "server", reason: ""};
  }
  if (status === 401) return {kind: "session", reason: reason || "unauthenticated"};
  if (status === 400 && data.detail === "csrf") return {kind: "session", reason: "csrf"};
  if (status === 429) return {kind: "throttled", reason: reason || "rate_limited"};
  if (status >= 500) return {kind: "server", reason};
  if (status >= 200 && status < 300) return {kind: "accepted", reason: ""};
  if (status >= 400 && TICKET_REASONS.has(reason)) return {kind: "refused", reason};
  if (status >= 400) return {kind: "error", reason};
  return {kind: "server", reason: ""};  // a 1xx or 3xx the browser did not follow: not an answer
}

function pathOf(url) {
  try {
    return new URL(url, "http://localhost").pathname;
  } catch (error) {
    return "";
  }
}

/** Tell whether a scan that met this kind of answer is kept and sent again later. */
export function keptForLater(kind) {
  return kind === "session" || kind === "throttled" || kind === "server" || kind === "network";
}
