// The API client's retries (static/js/scan/api.js), against a real HTTP server on 127.0.0.1.
import assert from "node:assert/strict";
import {createServer} from "node:http";
import {after, before, beforeEach, describe, test} from "node:test";

import {client, newNonce} from "../../static/js/scan/api.js";

// The server answers each request with the next planned answer: [status, body] (JSON), [status, text,
// content type], or "drop" (closes the connection); it never answers a request to /silent.
let planned = [], received = [], base = "";
const server = createServer((request, response) => {
  if (request.url === "/silent") return;
  let body = "";
  request.on("data", (chunk) => { body += chunk; });
  request.on("end", () => {
    received.push({method: request.method, csrf: request.headers["x-csrftoken"],
                   type: request.headers["content-type"], body});
    const answer = planned.shift() || [200, {}];
    if (answer === "drop") return request.socket.destroy();
    response.writeHead(answer[0], {"Content-Type": answer[2] || "application/json"});
    response.end(answer[2] ? answer[1] : JSON.stringify(answer[1]));
  });
});

before(async () => {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => { planned = []; received = []; });

// A generous timeout: a busy machine may take a while to answer (one test waits for a silence instead).
const FAST = {timeoutMs: 10_000, retryDelaysMs: [20]};
const ticket = {workshop_id: 1, nonce: "0123456789abcdef0123456789abcdef", code: "CODE"};

describe("send", () => {
  test("sends JSON with the CSRF token and returns the server's answer", async () => {
    planned = [[201, {id: 7, message: "Ticket accepté"}]];
    const answer = await client("token-1", FAST)("POST", `${base}/api/v1/redemptions`, ticket);
    assert.deepEqual(answer, {status: 201, data: {id: 7, message: "Ticket accepté"}, json: true,
                              url: `${base}/api/v1/redemptions`});
    assert.deepEqual(received, [{method: "POST", csrf: "token-1", type: "application/json", body: JSON.stringify(ticket)}]);
  });

  test("sends the same body again after a server error: the same nonce, so one redemption at most", async () => {
    planned = [[503, {}], [201, {id: 7}]];
    let retries = 0;
    const send = client("token-1", {...FAST, onRetry: () => { retries += 1; }});
    const answer = await send("POST", `${base}/api/v1/redemptions`, ticket);
    assert.equal(answer.status, 201);
    assert.equal(retries, 1);
    assert.equal(received.length, 2);
    assert.equal(received[1].body, received[0].body);
  });

  test("sends the same body again when the connection drops, then gives up with status 0", async () => {
    planned = ["drop", "drop"];
    const answer = await client("token-1", FAST)("POST", `${base}/api/v1/redemptions`, ticket);
    assert.deepEqual(answer, {status: 0, data: {}, json: false, url: ""});
    assert.equal(received.length, 2);
    assert.equal(received[1].body, received[0].body);
  });

  test("gives up on an answer that does not come in time", {timeout: 30_000}, async () => {
    const answer = await client("token-1", {timeoutMs: 300, retryDelaysMs: [20]})("POST", `${base}/silent`, ticket);
    assert.deepEqual(answer, {status: 0, data: {}, json: false, url: ""});
  });

  test("does not send a refusal again", async () => {
    planned = [[409, {reason: "already_redeemed", message: "Déjà validé"}]];
    const answer = await client("token-1", FAST)("POST", `${base}/api/v1/redemptions`, ticket);
    assert.equal(answer.status, 409);
    assert.deepEqual(answer.data, {reason: "already_redeemed", message: "Déjà validé"});
    assert.equal(received.length, 1);
  });

  test("returns a server error as it is once no retry is left", async () => {
    planned = [[500, {reason: "error"}]];
    const answer = await client("token-1", {...FAST, retryDelaysMs: []})("POST", `${base}/batch`, {items: []});
    assert.equal(answer.status, 500);
    assert.deepEqual(answer.data, {reason: "error"});
  });

  test("says when an answer is not JSON (a proxy's error page, a login page)", async () => {
    planned = [[200, "<!doctype html><title>Connexion</title>", "text/html; charset=utf-8"]];
    const answer = await client("token-1", FAST)("POST", `${base}/api/v1/redemptions`, ticket);
    assert.deepEqual(answer, {status: 200, data: {}, json: false, url: `${base}/api/v1/redemptions`});
  });

  test("sends a request without a body (an undo) with the CSRF token and no content type", async () => {
    planned = [[200, {workshop_count: 0}]];
    await client("token-2", FAST)("DELETE", `${base}/api/v1/redemptions/7`);
    assert.deepEqual(received, [{method: "DELETE", csrf: "token-2", type: undefined, body: ""}]);
  });
});

test("each nonce is 16 random bytes in hex", () => {
  const nonces = new Set(Array.from({length: 100}, newNonce));
  assert.equal(nonces.size, 100);
  for (const nonce of nonces) assert.match(nonce, /^[0-9a-f]{32}$/);
});
