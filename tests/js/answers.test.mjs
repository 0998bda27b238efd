// What an API answer means for the verdict (static/js/scan/api.js's classify): only a ticket's verdict is green or red.
import assert from "node:assert/strict";
import {describe, test} from "node:test";

import {classify, keptForLater, TICKET_REASONS} from "../../static/js/scan/api.js";

const API = "http://127.0.0.1:5000/api/v1/redemptions";
const json = (status, data) => ({status, data, json: true, url: API});

describe("a verdict on the ticket", () => {
  test("a 201 (accepted) or a 200 (a replayed nonce) is the ticket accepted", () => {
    assert.deepEqual(classify(json(201, {id: 7, status: "accepted"})), {kind: "accepted", reason: ""});
    assert.deepEqual(classify(json(200, {id: 7, status: "accepted"})), {kind: "accepted", reason: ""});
  });

  test("every refusal reason of the server is the ticket refused", () => {
    const reasons = ["malformed", "bad_signature", "unknown_key", "unknown_ticket", "bad_check_code", "not_activated",
                     "cancelled", "expired", "not_yet_valid", "already_redeemed", "workshop_not_open",
                     "workshop_full", "over_limit", "nonce_reused", "forbidden"];
    assert.deepEqual(new Set(reasons), TICKET_REASONS);
    for (const reason of reasons) {
      const status = reason === "already_redeemed" ? 409 : reason === "forbidden" ? 403 : 422;
      assert.deepEqual(classify(json(status, {reason, message: "…"})), {kind: "refused", reason}, reason);
    }
  });
});

describe("a lost session, never a refusal", () => {
  test("a 401 unauthenticated", () => {
    assert.deepEqual(classify(json(401, {reason: "unauthenticated", message: "Connectez-vous pour continuer."})),
                     {kind: "session", reason: "unauthenticated"});
  });

  test("a 401 whatever its body", () => {
    assert.equal(classify({status: 401, data: {}, json: false, url: API}).kind, "session");
  });

  test("the CSRF check failing (partner_site/http.py's csrf_error: a 400 with detail csrf)", () => {
    const answer = json(400, {reason: "bad_request", message: "Jeton de sécurité manquant ou expiré", detail: "csrf"});
    assert.deepEqual(classify(answer), {kind: "session", reason: "csrf"});
  });

  test("the login page instead of JSON, after a redirect", () => {
    const answer = {status: 200, data: {}, json: false, url: "http://127.0.0.1:5000/login?next=%2Fapi%2Fv1%2Fredemptions"};
    assert.deepEqual(classify(answer), {kind: "session", reason: "login_page"});
    assert.equal(classify({...answer, url: "https://example.org/connexion"}, "/connexion").kind, "session");
  });
});

describe("a server that cannot answer, never a refusal", () => {
  test("a 5xx, JSON or not", () => {
    assert.deepEqual(classify(json(503, {reason: "unavailable", message: "Service momentanément indisponible"})),
                     {kind: "server", reason: "unavailable"});
    assert.equal(classify(json(500, {reason: "error"})).kind, "server");
    assert.equal(classify({status: 502, data: {}, json: false, url: API}).kind, "server");
  });

  test("a page that is not JSON nor the login page (a proxy's or a hotspot's page)", () => {
    assert.equal(classify({status: 200, data: {}, json: false, url: "http://portal.example/welcome"}).kind, "server");
    assert.equal(classify({status: 404, data: {}, json: false, url: API}).kind, "server");
  });

  test("too many attempts (429) is a kind of its own", () => {
    assert.deepEqual(classify(json(429, {reason: "rate_limited", message: "Trop de tentatives"})),
                     {kind: "throttled", reason: "rate_limited"});
    assert.equal(classify({status: 429, data: {}, json: false, url: API}).kind, "throttled");
  });
});

describe("no answer, never a refusal", () => {
  test("status 0: the network failed or the answer took too long", () => {
    assert.deepEqual(classify({status: 0, data: {}, json: false, url: ""}), {kind: "network", reason: ""});
    assert.equal(classify({status: 0, data: {}}).kind, "network");
  });
});

describe("a request the server could not take", () => {
  test("another 4xx with a reason that is not about the ticket is an error, not a refusal", () => {
    assert.deepEqual(classify(json(400, {reason: "bad_request", message: "Demande incomplète ou invalide."})),
                     {kind: "error", reason: "bad_request"});
    assert.equal(classify(json(404, {reason: "not_found"})).kind, "error");
    assert.equal(classify(json(413, {reason: "too_large"})).kind, "error");
    assert.equal(classify(json(422, {})).kind, "error");
  });
});

test("a scan is kept and sent again after a lost session, too many attempts, a server failure or no answer", () => {
  assert.deepEqual(["accepted", "refused", "session", "throttled", "server", "network", "error"].filter(keptForLater),
                   ["session", "throttled", "server", "network"]);
});
