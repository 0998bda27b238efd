// The queue of offline scans: what is kept, what is sent, what each answer does (static/js/scan/queue.js).
import assert from "node:assert/strict";
import {describe, test} from "node:test";

import {BATCH, byScanTime, forgotten, nextBatch, queuedScan, settle, wire} from "../../static/js/scan/queue.js";

const DAY_MS = 24 * 3600 * 1000;
const item = (nonce, scannedAt, state = "pending") => ({nonce, workshop_id: 1, number: 1000, scanned_at: scannedAt, state,
                                                        code: "CODE"});

describe("a queued scan", () => {
  test("keeps the nonce, the scan time and the ticket as scanned or typed", () => {
    const now = new Date("2026-10-05T10:00:00Z");
    assert.deepEqual(queuedScan({workshop_id: 1, nonce: "a1", code: "CODE"}, 1000, now),
                     {nonce: "a1", workshop_id: 1, number: 1000, scanned_at: "2026-10-05T10:00:00.000Z",
                      state: "pending", code: "CODE"});
    assert.deepEqual(queuedScan({workshop_id: 1, nonce: "a2", serial: "0000010009", check_code: "ABC-DEF"}, 1000, now),
                     {nonce: "a2", workshop_id: 1, number: 1000, scanned_at: "2026-10-05T10:00:00.000Z",
                      state: "pending", serial: "0000010009", check_code: "ABC-DEF"});
  });

  test("goes to the server with what the batch API takes, and nothing the phone decided", () => {
    const queued = {...item("a1", "2026-10-05T10:00:00.000Z"), state: "conflict", reason: "blocked", message: "…", id: 9};
    assert.deepEqual(wire(queued), {nonce: "a1", workshop_id: 1, scanned_at: "2026-10-05T10:00:00.000Z", code: "CODE"});
  });
});

describe("nextBatch", () => {
  test("sends the pending scans only, oldest first", () => {
    const items = [item("c", "2026-10-05T10:02:00Z"), item("done", "2026-10-05T09:00:00Z", "confirmed"),
                   item("a", "2026-10-05T10:00:00Z"), item("lost", "2026-10-05T09:30:00Z", "conflict"),
                   item("b", "2026-10-05T10:01:00Z")];
    assert.deepEqual(nextBatch(items).map((i) => i.nonce), ["a", "b", "c"]);
  });

  test("sends at most a batch at a time, the oldest first", () => {
    const items = Array.from({length: BATCH + 5}, (_, i) => item(`n${i}`, new Date(Date.UTC(2026, 9, 5, 10, 0, BATCH + 5 - i)).toISOString()));
    const batch = nextBatch(items);
    assert.equal(batch.length, BATCH);
    assert.deepEqual(batch[0].nonce, `n${BATCH + 4}`);
    assert.ok(!batch.some((i) => ["n0", "n1", "n2", "n3", "n4"].includes(i.nonce)), "the five newest wait");
  });

  test("does not reorder the queue it is given", () => {
    const items = [item("b", "2026-10-05T10:01:00Z"), item("a", "2026-10-05T10:00:00Z")];
    byScanTime(items);
    assert.deepEqual(items.map((i) => i.nonce), ["b", "a"]);
  });
});

describe("settle", () => {
  test("an accepted scan is confirmed with its redemption's id", () => {
    const queued = item("a1", "2026-10-05T10:00:00Z");
    assert.equal(settle(queued, {nonce: "a1", status: 201, body: {id: 42}}), true);
    assert.equal(queued.state, "confirmed");
    assert.equal(queued.id, 42);
  });

  test("a refused scan is a conflict, with the server's reason and sentence", () => {
    const queued = item("a1", "2026-10-05T10:00:00Z");
    assert.equal(settle(queued, {nonce: "a1", status: 409, body: {reason: "already_redeemed", message: "Déjà validé"}}), true);
    assert.deepEqual([queued.state, queued.reason, queued.message], ["conflict", "already_redeemed", "Déjà validé"]);
  });

  test("a server error, a rate limit or an answer to another scan leaves it pending", () => {
    for (const result of [{nonce: "a1", status: 500, body: {}}, {nonce: "a1", status: 503, body: {}},
                          {nonce: "a1", status: 429, body: {}}, {nonce: "other", status: 201, body: {id: 1}}, undefined]) {
      const queued = item("a1", "2026-10-05T10:00:00Z");
      assert.equal(settle(queued, result), false, JSON.stringify(result));
      assert.equal(queued.state, "pending");
    }
  });
});

describe("forgotten", () => {
  const scannedAt = "2026-10-05T10:00:00.000Z", scanned = Date.parse(scannedAt);

  test("an answered scan is kept three days, so the ticket is still refused on the phone", () => {
    for (const state of ["confirmed", "conflict"]) {
      assert.equal(forgotten(item("a", scannedAt, state), scanned + 3 * DAY_MS), false, state);
      assert.equal(forgotten(item("a", scannedAt, state), scanned + 3 * DAY_MS + 1), true, state);
    }
  });

  test("a pending scan is never forgotten", () => {
    assert.equal(forgotten(item("a", scannedAt), scanned + 60 * DAY_MS), false);
  });
});
