/* The JSON API client: one request, sent again unchanged when no answer comes.
 *
 * A redemption carries a nonce made at scan time, and a retry sends the very same body: the server
 * answers a replayed nonce as it did the first time, so a retry can never validate a ticket twice.
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
 * from after redirects (a login page instead of the API: see answers.js).
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
