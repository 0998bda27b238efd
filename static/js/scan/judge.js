/* The offline judge: what the phone decides about a ticket with no network, from the lists it keeps.
 *
 * The verdict is only provisional: the server has the last word at synchronisation. Pure logic:
 * the lists, the clock and the signature check come in as arguments (tests/js/judge.test.mjs).
 */
import {base64url, readCode, readSerial} from "./codes.js";

/** Return the calendar day (YYYY-MM-DD) that `date` falls on in `timeZone`. */
export function localDay(date, timeZone) {
  return new Intl.DateTimeFormat("en-CA", {timeZone, year: "numeric", month: "2-digit", day: "2-digit"})
    .format(date);
}

/** Expand runs of ticket numbers `[gap, length, gap, length, ...]`, each gap counted from the end of the
 * previous run (partner_site/domain/sync.py's encode_runs), into the numbers. */
export function runsToNumbers(runs) {
  const numbers = [];
  let end = 0;  // one past the last number of the previous run
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const start = end + runs[i];
    for (let n = start; n < start + runs[i + 1]; n++) numbers.push(n);
    end = start + runs[i + 1];
  }
  return numbers;
}

/** Apply one page of the revocation list to the set of blocked ticket numbers. */
export function applyRevocations(blocked, page) {
  runsToNumbers(page.blocked).forEach((n) => blocked.add(n));
  runsToNumbers(page.unblocked).forEach((n) => blocked.delete(n));
}

/** Return why a ticket's campaign refuses it on `today` (unknown_ticket, expired, not_yet_valid), or null. */
export function campaignReason(campaigns, number, today) {
  const campaign = campaigns.find((c) => c.first_number <= number && number <= c.last_number);
  if (!campaign) return "unknown_ticket";
  if (today > campaign.valid_until) return "expired";
  if (today < campaign.valid_from) return "not_yet_valid";
  return null;
}

/** Return {number} for a genuine code, or {reason}; `verify(publicKey, signature, message)` checks Ed25519. */
async function checkCode(text, keys, verify) {
  const code = readCode(text);
  if (code.reason) return code;
  const publicKey = keys[code.kid];
  if (!publicKey) return {reason: "unknown_key"};
  const genuine = await verify(base64url(publicKey), code.signature, code.message);
  return genuine ? {number: code.number} : {reason: "bad_signature"};
}

/** Judge a scan (`body` has a `code`, or a typed `serial`) at the time `now`.
 *
 * `lists` holds what the phone keeps: `timeZone`, the workshop's `firstDay` and `lastDay`, `keys`
 * (key id -> base64url public key), `campaigns`, `blocked` (a Set of ticket numbers), `scanned`
 * (the queue) and `verify`. Return {number} if the ticket may be accepted provisionally, else {reason}.
 */
export async function judge(body, now, lists) {
  const today = localDay(now, lists.timeZone);
  if (today < lists.firstDay || today > lists.lastDay) return {reason: "workshop_not_open"};
  let number;
  if (body.code !== undefined) {
    const checked = await checkCode(body.code, lists.keys, lists.verify);
    if (checked.reason) return checked;
    number = checked.number;
  } else {  // a typed serial: its check digit is read here, its check code by the server later
    number = readSerial(body.serial);
    if (number === null) return {reason: "malformed"};
  }
  if (lists.blocked.has(number)) return {reason: "blocked"};
  if (lists.scanned.some((item) => item.number === number && item.state !== "conflict")) {
    return {reason: "scanned_here"};
  }
  const reason = campaignReason(lists.campaigns, number, today);
  return reason ? {reason} : {number};
}
