/* What an answer of the API means: the server's word on a ticket, or a failure that says nothing about it.
 *
 * Only a verdict on the ticket (accepted, or refused for a ticket reason) may be shown in green or
 * red. A lost session, too many attempts, a server failure or no answer at all say nothing about
 * the ticket: the scan is kept and sent again, and the trainer never reads "refusé" for it.
 * Pure logic: no DOM, no storage, no network (tests/js/answers.test.mjs).
 */

/** The reasons for which the server refuses a ticket at a workshop (partner_site/domain/errors.py). */
export const TICKET_REASONS = new Set([
  "malformed", "bad_signature", "unknown_key", "unknown_ticket", "bad_check_code", "not_activated", "cancelled",
  "expired", "not_yet_valid", "already_redeemed", "workshop_not_open", "workshop_full", "over_limit",
  "nonce_reused", "forbidden",
]);

/** Return what an answer of api.js's `send` ({status, data, json, url}) is: {kind, reason}.
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
