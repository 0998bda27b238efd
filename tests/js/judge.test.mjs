// The offline judge: what a phone with no network decides about a ticket (static/js/scan/judge.js),
// with real Ed25519 signatures checked by the page's own verifier (static/js/scan/offline.js).
import assert from "node:assert/strict";
import {before, describe, test} from "node:test";

import {applyRevocations, campaignReason, judge, localDay, runsToNumbers} from "../../static/js/scan/judge.js";
import {makeVerifier} from "../../static/js/scan/offline.js";
import {SERVER_MADE, codeOf, newKey} from "./tickets.mjs";

const PARIS = "Europe/Paris";
const KID = 3;
const KEY = newKey();
const CAMPAIGN = {campaign_id: 1, first_number: 1000, last_number: 2999, valid_from: "2026-09-01", valid_until: "2026-12-31"};

let verify;
before(async () => { verify = await makeVerifier(); });

/** The lists a phone keeps, on a workshop held on `day`; `overrides` replace any of them. */
function lists(day, overrides = {}) {
  return {timeZone: PARIS, firstDay: day, lastDay: day, keys: {[KID]: KEY.publicKey}, campaigns: [CAMPAIGN],
          blocked: new Set(), scanned: [], verify, ...overrides};
}

const scanOf = (number, key = KEY, kid = KID) => ({nonce: "n", workshop_id: 1, code: codeOf(key, kid, number)});
const at = (iso) => new Date(iso);

describe("localDay", () => {
  test("is the day in Paris, not in UTC, in winter and in summer", () => {
    assert.equal(localDay(at("2026-12-31T22:59:00Z"), PARIS), "2026-12-31");  // 23:59 in Paris (UTC+1)
    assert.equal(localDay(at("2026-12-31T23:01:00Z"), PARIS), "2027-01-01");  // 00:01 in Paris
    assert.equal(localDay(at("2026-07-14T21:59:00Z"), PARIS), "2026-07-14");  // 23:59 in Paris (UTC+2)
    assert.equal(localDay(at("2026-07-14T22:01:00Z"), PARIS), "2026-07-15");
  });

  test("does not depend on the phone's own time zone", () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = "America/Cayenne";  // UTC-3: still the 31st on the phone's clock face
      assert.equal(localDay(at("2026-12-31T23:30:00Z"), PARIS), "2027-01-01");
    } finally {
      if (saved === undefined) delete process.env.TZ; else process.env.TZ = saved;
    }
  });
});

describe("the date window", () => {
  test("a ticket is accepted at 23:59 Paris time on its campaign's last day, refused at 00:01 the next", async () => {
    assert.deepEqual(await judge(scanOf(1000), at("2026-12-31T22:59:00Z"), lists("2026-12-31")), {number: 1000});
    assert.deepEqual(await judge(scanOf(1000), at("2026-12-31T23:01:00Z"), lists("2027-01-01")), {reason: "expired"});
  });

  test("a ticket is refused the day before its campaign opens, accepted on its first day", async () => {
    assert.deepEqual(await judge(scanOf(1000), at("2026-08-31T21:59:00Z"), lists("2026-08-31")),
                     {reason: "not_yet_valid"});
    assert.deepEqual(await judge(scanOf(1000), at("2026-08-31T22:01:00Z"), lists("2026-09-01")), {number: 1000});
  });

  test("a scan outside the workshop's day is refused, whatever the ticket", async () => {
    const workshop = lists("2026-10-05");
    assert.deepEqual(await judge(scanOf(1000), at("2026-10-04T21:59:00Z"), workshop), {reason: "workshop_not_open"});
    assert.deepEqual(await judge(scanOf(1000), at("2026-10-04T22:01:00Z"), workshop), {number: 1000});
    assert.deepEqual(await judge(scanOf(1000), at("2026-10-05T21:59:00Z"), workshop), {number: 1000});
    assert.deepEqual(await judge(scanOf(1000), at("2026-10-05T22:01:00Z"), workshop), {reason: "workshop_not_open"});
    const forged = scanOf(1000, newKey());
    assert.deepEqual(await judge(forged, at("2026-10-06T10:00:00Z"), workshop), {reason: "workshop_not_open"});
  });

  test("a workshop over two days accepts tickets on both", async () => {
    const overnight = lists("2026-10-05", {lastDay: "2026-10-06"});
    assert.deepEqual(await judge(scanOf(1000), at("2026-10-06T08:00:00Z"), overnight), {number: 1000});
  });

  test("the campaign's range of numbers is inclusive at both ends", () => {
    const today = "2026-10-05";
    assert.equal(campaignReason([CAMPAIGN], 999, today), "unknown_ticket");
    assert.equal(campaignReason([CAMPAIGN], 1000, today), null);
    assert.equal(campaignReason([CAMPAIGN], 2999, today), null);
    assert.equal(campaignReason([CAMPAIGN], 3000, today), "unknown_ticket");
  });

  test("each ticket is judged by its own campaign's dates", () => {
    const later = {campaign_id: 2, first_number: 3000, last_number: 3999, valid_from: "2027-01-01", valid_until: "2027-06-30"};
    assert.equal(campaignReason([CAMPAIGN, later], 3000, "2026-12-31"), "not_yet_valid");
    assert.equal(campaignReason([CAMPAIGN, later], 2999, "2026-12-31"), null);
    assert.equal(campaignReason([CAMPAIGN, later], 2999, "2027-01-01"), "expired");
    assert.equal(campaignReason([CAMPAIGN, later], 3000, "2027-01-01"), null);
  });
});

describe("signatures", () => {
  const day = "2026-10-05", noon = at("2026-10-05T10:00:00Z");

  test("a code the server made verifies with its public key", async () => {
    const server = lists(day, {keys: {[SERVER_MADE.kid]: SERVER_MADE.publicKey},
                               campaigns: [{...CAMPAIGN, first_number: 1, last_number: 999999999}]});
    assert.deepEqual(await judge({code: SERVER_MADE.code}, noon, server), {number: SERVER_MADE.number});
  });

  test("a code signed with another key is refused", async () => {
    assert.deepEqual(await judge(scanOf(1000, newKey()), noon, lists(day)), {reason: "bad_signature"});
  });

  test("a code whose number was changed after signing is refused", async () => {
    const genuine = codeOf(KEY, KID, 1000), other = codeOf(KEY, KID, 1001);
    const tampered = other.slice(0, 10) + genuine.slice(10);  // the header of 1001, the signature of 1000
    assert.deepEqual(await judge({code: tampered}, noon, lists(day)), {reason: "bad_signature"});
  });

  test("a code naming a key the phone does not know is refused", async () => {
    assert.deepEqual(await judge(scanOf(1000, KEY, KID + 1), noon, lists(day)), {reason: "unknown_key"});
  });

  test("a text that is not a code is refused as malformed", async () => {
    assert.deepEqual(await judge({code: "https://example.org/"}, noon, lists(day)), {reason: "malformed"});
  });

  test("a typed serial is judged by its check digit", async () => {
    assert.deepEqual(await judge({serial: "000 001 000 9", check_code: "ABC-DEF"}, noon, lists(day)), {number: 1000});
    assert.deepEqual(await judge({serial: "000 001 000 8", check_code: "ABC-DEF"}, noon, lists(day)),
                     {reason: "malformed"});
  });
});

describe("revocations", () => {
  const day = "2026-10-05", noon = at("2026-10-05T10:00:00Z");

  test("runs expand as the server encodes them: each gap counted from the end of the previous run", () => {
    // partner_site/domain/sync.py's encode_runs gives these for the numbers on the right.
    assert.deepEqual(runsToNumbers([]), []);
    assert.deepEqual(runsToNumbers([0, 1]), [0]);
    assert.deepEqual(runsToNumbers([3, 3, 3, 1]), [3, 4, 5, 9]);
    assert.deepEqual(runsToNumbers([7, 11]), [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    assert.deepEqual(runsToNumbers([1000, 10, 10, 10]),
                     [...Array.from({length: 10}, (_, i) => 1000 + i), ...Array.from({length: 10}, (_, i) => 1020 + i)]);
  });

  test("a run blocks its first and last numbers, not its neighbours", async () => {
    const blocked = new Set();
    applyRevocations(blocked, {blocked: [1010, 10], unblocked: []});  // one booklet: 1010 to 1019
    const phone = lists(day, {blocked});
    assert.deepEqual(await judge(scanOf(1009), noon, phone), {number: 1009});
    assert.deepEqual(await judge(scanOf(1010), noon, phone), {reason: "blocked"});
    assert.deepEqual(await judge(scanOf(1019), noon, phone), {reason: "blocked"});
    assert.deepEqual(await judge(scanOf(1020), noon, phone), {number: 1020});
  });

  test("a later page unblocks a ticket made active again, and leaves the others blocked", () => {
    const blocked = new Set();
    applyRevocations(blocked, {blocked: [1010, 10], unblocked: []});
    applyRevocations(blocked, {blocked: [2000, 1], unblocked: [1015, 1]});
    assert.deepEqual([...blocked].sort((a, b) => a - b), [1010, 1011, 1012, 1013, 1014, 1016, 1017, 1018, 1019, 2000]);
  });

  test("a blocked typed serial is refused too", async () => {
    const phone = lists(day, {blocked: new Set([1000])});
    assert.deepEqual(await judge({serial: "0000010009"}, noon, phone), {reason: "blocked"});
  });
});

describe("tickets already scanned on this phone", () => {
  const day = "2026-10-05", noon = at("2026-10-05T10:00:00Z");

  test("a ticket waiting in the queue, or confirmed, is refused", async () => {
    for (const state of ["pending", "confirmed"]) {
      const phone = lists(day, {scanned: [{number: 1000, state}]});
      assert.deepEqual(await judge(scanOf(1000), noon, phone), {reason: "scanned_here"}, state);
    }
  });

  test("a ticket whose earlier scan the server refused may be scanned again", async () => {
    const phone = lists(day, {scanned: [{number: 1000, state: "conflict"}, {number: 1001, state: "pending"}]});
    assert.deepEqual(await judge(scanOf(1000), noon, phone), {number: 1000});
  });
});
