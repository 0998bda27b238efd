/* The scan page: camera -> QR decoder -> JSON API -> verdict. The entry module; its parts are in scan/.
 *
 * Online, nothing about a ticket is decided here: every code, scanned or typed, goes to the
 * server, whose answer is shown as it is. The page only avoids sending the same code again while
 * its verdict is on screen or while it stays in front of the camera, and retries a request that
 * got no answer with the same nonce, so a retry can never validate a ticket twice (api.js).
 * Offline (no network, or a request that failed or took too long), the phone judges the ticket
 * with what it keeps (offline.js, judge.js) and queues it; the verdict says it is provisional
 * until the queue is sent.
 * Green and red are for a verdict on the ticket only (api.js's classify tells the answers apart): a lost
 * session, a server failure or no answer before the phone can judge keep the scan in the queue,
 * say so in a neutral colour, and the queue sends it again (the same nonce) once it can.
 */
import {classify, client, newNonce} from "./scan/api.js";
import {startScanning} from "./scan/camera.js";
import {groupedSerial, serialOf} from "./scan/codes.js";
import * as kept from "./scan/offline.js";
import {byId, csrfToken, reasons, root, settings, texts, workshopId} from "./scan/page.js";
import * as rows from "./scan/rows.js";
import {onRetry, showVerdict, signal, verdictShown} from "./scan/verdict.js";

const GONE_AFTER_MS = 1500;      // a code unseen this long has left the camera's view
const SYNC_EVERY_MS = 10000;     // while offline or with scans waiting: try the network again

const send = client(csrfToken, {onRetry: () => showVerdict("pending", texts.retrying)});
const manualForm = byId("manual-form"), networkStatus = byId("network-status");
const networkText = byId("network-text"), networkSignIn = byId("network-signin");
const loginPath = new URL(byId("verdict-signin").href).pathname;
const offlineContext = {timeZone: settings.timezone, firstDay: settings.firstDay, lastDay: settings.lastDay,
                        nobleSrc: settings.nobleSrc};
const listUrls = {keys: settings.keysUrl, campaigns: settings.campaignsUrl, revocations: settings.revocationsUrl};

let busy = false, pendingRetry = null, offline = false, syncing = false, signedOut = false;

/* ---- Online: the server's verdict -------------------------------------------------------- */

/* What is shown when the server said nothing about the ticket: the scan is kept and sent again. */
const KEPT = {
  session: [texts.sessionExpired, texts.sessionExpiredMessage],
  throttled: [texts.throttled, texts.throttledMessage],
  server: [texts.serverDown, texts.serverDownMessage],
  network: [texts.connectionLost, texts.connectionLostMessage],
};

async function showAnswer(result, body) {
  const data = result.data, answer = classify(result, loginPath);
  if (answer.kind === "accepted" || answer.kind === "refused") {
    // A scan kept earlier and sent again by hand: its row takes the server's verdict too.
    const item = await kept.settleKept(body.nonce, result.status, data).catch(() => null);
    if (item && item.workshop_id === workshopId) rows.addQueuedRow(item);
  }
  if (answer.kind === "accepted") {
    showVerdict("accepted", texts.accepted, data.message);
    signal("accepted");
    rows.addRow(data);
    rows.setCount(data.workshop_count);
    if (!networkStatus.hidden) syncQueue();  // the server is back: send what was kept meanwhile
    return true;
  }
  if (answer.kind === "refused") {
    const title = answer.reason === "already_redeemed" ? texts.already : texts.refused;
    showVerdict("refused", title, data.message || reasons[answer.reason] || texts.error);
    signal("refused");
    return false;
  }
  if (answer.kind === "error") {
    showVerdict("notice", texts.notTreated, data.message || texts.error);
    signal("neutral");
    return false;
  }
  return keepForLater(answer.kind, body);
}

/* Keep a scan the server did not judge, to send it with the queue; say so, never "refusé". */
async function keepForLater(kind, body) {
  let item;
  try {
    item = await kept.keepForLater(body);
  } catch (error) {  // nowhere to keep it (no IndexedDB): the trainer sends it again, same nonce
    pendingRetry = body;
    showVerdict("offline", texts.noAnswer, texts.noAnswerMessage);
    signal("neutral");
    return false;
  }
  if (!item) {  // the phone itself can tell the code or serial cannot be read: the offline judge's verdict
    showVerdict("refused", texts.refused, reasons.malformed);
    signal("refused");
    return false;
  }
  if (kind === "session") signedOut = true;
  rows.addQueuedRow(item);
  const [heading, sentence] = KEPT[kind];
  showVerdict(kind === "session" ? "session" : "waiting", heading, sentence, {stay: kind === "session"});
  signal("neutral");
  showNetworkStatus();
  return true;
}

/* Ask the server about one ticket (a scanned code or a typed serial), once, whatever the retries;
 * with no network, judge it here and queue it with the same nonce. */
async function redeem(body) {
  busy = true;
  pendingRetry = null;
  try {
    if (offline || !navigator.onLine) {
      if (!offline) setOffline(true);
      if (kept.ready()) return await judgeHere(body);
      return await showAnswer({status: 0, data: {}}, body);
    }
    // The same ticket kept after a failure goes again with the nonce it was kept with: one redemption at most.
    const waiting = await kept.waitingFor(body).catch(() => undefined);
    if (waiting) body = {...body, nonce: waiting.nonce};
    showVerdict("pending", texts.checking);
    const result = await send("POST", settings.redeemUrl, body);
    if (result.status === 0 && kept.ready()) {
      setOffline(true);
      return await judgeHere(body);
    }
    return await showAnswer(result, body);
  } finally {
    busy = false;
  }
}

function ticketBody(fields) {
  return {workshop_id: workshopId, nonce: newNonce(), ...fields};
}

/* ---- Offline: a provisional verdict on the phone, a queue, a sync when the network is back -- */

async function judgeHere(body) {
  let found;
  try {
    found = await kept.judgeAndQueue(body, offlineContext);
  } catch (error) {
    return showAnswer({status: 0, data: {}}, body);  // cannot judge here: keep it for the server
  }
  if (found.reason) {
    const title = found.reason === "scanned_here" ? texts.already : texts.refused;
    showVerdict("refused", title, reasons[found.reason] || texts.error);
    signal("refused");
    return false;
  }
  rows.addQueuedRow(found.item);
  showVerdict("provisional", texts.provisional,
              texts.provisionalMessage.replace("{serial}", groupedSerial(serialOf(found.item.number))));
  signal("accepted");
  showNetworkStatus();
  return true;
}

function setOffline(value) {
  offline = value;
  showNetworkStatus();
}

async function showNetworkStatus() {
  const waiting = await kept.waitingCount();
  const lines = [];
  if (offline) lines.push(texts.offlineMode);
  if (waiting) lines.push(texts.waiting.replace("{count}", String(waiting)));
  if (waiting && signedOut) lines.push(texts.signInToSync);
  networkText.textContent = lines.join(" ");
  networkSignIn.hidden = !(waiting && signedOut);
  networkStatus.hidden = lines.length === 0;
}

function onSynced(item) {
  if (item.workshop_id !== workshopId) return;
  rows.addQueuedRow(item);
  if (item.state === "confirmed") rows.bumpCount(1);
}

/* Send the queue, then refresh the lists kept on the phone; offline again if either fails. */
async function syncQueue() {
  if (syncing) return;
  syncing = true;
  try {
    const sent = await kept.sync(settings.batchUrl, csrfToken, onSynced, loginPath);
    signedOut = sent === "signed_out";
    if (sent === true) await kept.refresh(listUrls);
    setOffline(sent !== true);
  } catch (error) {
    setOffline(true);
  } finally {
    syncing = false;
    showNetworkStatus();
  }
}

async function startOffline() {
  try {
    await kept.load();
  } catch (error) {
    return;  // no IndexedDB here (a private window): online only
  }
  (await kept.scansOf(workshopId)).forEach((item) => {
    if (item.state !== "confirmed" || !rows.hasRow(item.id)) rows.addQueuedRow(item);
  });
  setOffline(!navigator.onLine);
  if (navigator.onLine) {
    await syncQueue();
    try {
      await kept.warmUp(offlineContext.nobleSrc);
      if (!offline) root.dataset.listsKept = "1";
    } catch (error) { /* no way to verify signatures here: offline scans will wait for the network */ }
  }
  window.addEventListener("online", syncQueue);
  window.addEventListener("offline", () => setOffline(true));
  setInterval(() => { if (navigator.onLine && (offline || !networkStatus.hidden)) syncQueue(); }, SYNC_EVERY_MS);
}

/* The service worker keeps this page and every file it loaded (its modules, CSS, jsQR), so it
 * opens again with no network. */
function registerWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "kept") root.dataset.pageKept = "1";
  });
  navigator.serviceWorker.register(settings.workerUrl).then(() => navigator.serviceWorker.ready).then((registration) => {
    const loaded = performance.getEntriesByType("resource").map((entry) => entry.name);
    registration.active.postMessage({type: "keep", urls: [location.href, settings.homeUrl, settings.jsqrSrc, ...loaded]});
  }).catch(() => { /* no offline shell: the page still works online */ });
}

/* ---- A code in front of the camera, a typed ticket, an undo ------------------------------- */

let lastCode = null, lastSeenAt = 0;

function onCode(text) {
  const now = Date.now();
  if (text === lastCode) {
    const stillInView = now - lastSeenAt < GONE_AFTER_MS;
    lastSeenAt = now;
    if (busy || stillInView || verdictShown()) return;
  } else if (busy) {
    return;  // another ticket while waiting for an answer: it is read again on a next frame
  }
  lastCode = text;
  lastSeenAt = now;
  // A ticket shown again after a request that got no answer is sent with that request's nonce.
  redeem(pendingRetry && pendingRetry.code === text ? pendingRetry : ticketBody({code: text}));
}

manualForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (busy) return;
  const accepted = await redeem(ticketBody({
    serial: manualForm.elements.serial.value, check_code: manualForm.elements.check_code.value,
  }));
  if (accepted) manualForm.reset();
});

rows.onVoid(async (row) => {
  const result = await send("DELETE", settings.voidUrl.replace(/\/0$/, `/${row.dataset.id}`));
  const answer = classify(result, loginPath);
  if (answer.kind === "accepted") {
    rows.markVoided(row);
    rows.setCount(result.data.workshop_count);
    showVerdict("voided", texts.voided, result.data.message);
  } else if (answer.kind === "session") {
    showVerdict("session", texts.sessionExpired, texts.voidSessionExpired, {stay: true});
  } else {  // an undo that did not happen is not a verdict on a ticket: neutral
    const sentence = answer.kind === "refused" || answer.kind === "error" ? result.data.message || texts.error
      : answer.kind === "throttled" ? result.data.message || texts.throttledMessage : texts.voidNoAnswer;
    showVerdict("notice", texts.voidFailed, sentence);
  }
});

onRetry(() => {
  if (pendingRetry && !busy) redeem(pendingRetry);  // the same nonce: the server answers once
});

startScanning(onCode);
registerWorker();
startOffline();
