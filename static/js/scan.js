/* The scan page: camera -> QR decoder -> JSON API -> verdict.
 *
 * Online, nothing about a ticket is decided here: every code, scanned or typed, goes to the
 * server, whose answer is shown as it is. The page only avoids sending the same code again while
 * its verdict is on screen or while it stays in front of the camera, and retries a request that
 * got no answer with the same nonce, so a retry can never validate a ticket twice.
 * Offline (no network, or a request that failed or took too long), the phone judges the ticket
 * with what it keeps (offline.js) and queues it; the verdict says it is provisional until the
 * queue is sent (sync.js). Every French text comes from the template (#scan-texts).
 */
(function () {
  "use strict";

  var root = document.getElementById("scan");
  if (!root) return;

  var SCAN_EVERY_MS = 150;        // pause between two decoded frames
  var GONE_AFTER_MS = 1500;       // a code unseen this long has left the camera's view
  var SHOW_ACCEPTED_MS = 2500;
  var SYNC_EVERY_MS = 10000;      // while offline or with scans waiting: try the network again
  var SHOW_REFUSED_MS = 6000;     // a refusal has a sentence to read
  var REQUEST_TIMEOUT_MS = 8000;   // a slower answer counts as none
  var RETRY_DELAYS_MS = [1000];    // one more try, then the phone goes offline
  var MAX_DECODE_WIDTH = 640;
  var MAX_CODE_LENGTH = 512;      // longer texts are not tickets; the server still gives the verdict

  var texts = document.getElementById("scan-texts").dataset;
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var workshopId = parseInt(root.dataset.workshopId, 10);
  var timeFormat = new Intl.DateTimeFormat("fr-FR", {hour: "2-digit", minute: "2-digit", timeZone: root.dataset.timezone});

  var $ = function (id) { return document.getElementById(id); };
  var video = $("video"), cameraStatus = $("camera-status"), cameraRetry = $("camera-retry");
  var verdict = $("verdict"), verdictTitle = $("verdict-title"), verdictMessage = $("verdict-message");
  var verdictRetry = $("verdict-retry"), verdictLive = $("verdict-live");
  var list = $("redemptions"), emptyNote = $("no-redemptions"), count = $("count");
  var reasons = $("offline-reasons").dataset;
  var manual = $("manual"), manualForm = $("manual-form");

  /* ---- Verdicts, sound and vibration --------------------------------------------------- */

  var verdictTimer = null, audio = null, pendingRetry = null;

  function showVerdict(kind, title, message, holdMs) {
    clearTimeout(verdictTimer);
    verdict.className = "verdict verdict-" + kind;
    verdictTitle.textContent = title;
    verdictMessage.textContent = message || "";
    verdictRetry.hidden = kind !== "offline";
    verdict.hidden = false;
    verdictLive.textContent = title + ". " + (message || "");
    if (holdMs) verdictTimer = setTimeout(hideVerdict, holdMs);
  }

  function hideVerdict() {
    clearTimeout(verdictTimer);
    verdict.hidden = true;
  }

  function verdictShown() { return !verdict.hidden; }

  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
  }

  function signal(accepted) {
    if (navigator.vibrate) navigator.vibrate(accepted ? 120 : [90, 60, 90, 60, 250]);
    if (!audio || audio.state !== "running") return;
    var tones = accepted ? [[880, 0, 0.12], [1320, 0.12, 0.1]] : [[220, 0, 0.2], [165, 0.25, 0.3]];
    tones.forEach(function (tone) {
      var oscillator = audio.createOscillator(), gain = audio.createGain();
      oscillator.type = accepted ? "sine" : "square";
      oscillator.frequency.value = tone[0];
      gain.gain.value = 0.15;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start(audio.currentTime + tone[1]);
      oscillator.stop(audio.currentTime + tone[1] + tone[2]);
    });
  }

  /* ---- The list of tickets validated here ------------------------------------------------ */

  function groupedSerial(serial) {
    return [serial.slice(0, 3), serial.slice(3, 6), serial.slice(6, 9), serial.slice(9)].join(" ");
  }

  function rowFor(id) { return list.querySelector('li[data-id="' + id + '"]'); }

  function addRow(answer) {
    var row = rowFor(answer.id);
    if (!row) {
      row = $("redemption-template").content.firstElementChild.cloneNode(true);
      row.dataset.id = answer.id;
      row.querySelector(".serial").textContent = groupedSerial(answer.serial);
      row.querySelector(".time").textContent = timeFormat.format(new Date(answer.scanned_at));
      var form = row.querySelector("form");
      form.action = form.action.replace(/\/0\/void$/, "/" + answer.id + "/void");
      list.insertBefore(row, list.firstChild);
    }
    var form = row.querySelector("form");
    if (form && !answer.voidable) form.remove();
    emptyNote.hidden = true;
  }

  function markVoided(row) {
    row.classList.add("voided");
    row.querySelector(".state").textContent = texts.voidedState;
    var form = row.querySelector("form");
    if (form) form.remove();
  }

  function setCount(value) {
    if (typeof value === "number") count.textContent = String(value);
  }

  /* A scan judged on the phone: its row waits for the server (rows are found by nonce). */
  function addQueuedRow(item) {
    var row = list.querySelector('li[data-nonce="' + item.nonce + '"]') ||
              (item.id && rowFor(item.id));
    if (!row) {
      row = $("redemption-template").content.firstElementChild.cloneNode(true);
      row.dataset.nonce = item.nonce;
      row.querySelector(".serial").textContent = groupedSerial(window.ScanOffline.serialOf(item.number));
      row.querySelector(".time").textContent = timeFormat.format(new Date(item.scanned_at));
      row.querySelector("form").remove();  // nothing to undo before the server has it
      list.insertBefore(row, list.firstChild);
    }
    settleRow(row, item);
    emptyNote.hidden = true;
  }

  function settleRow(row, item) {
    row.classList.remove("provisional", "confirmed", "conflict");
    row.classList.add(item.state === "pending" ? "provisional" : item.state);
    row.querySelector(".state").textContent = item.state === "pending" ? texts.pendingState
      : item.state === "confirmed" ? texts.confirmedState : item.message;
    if (item.id) row.dataset.id = item.id;
  }

  function bumpCount(delta) { setCount(parseInt(count.textContent, 10) + delta); }

  /* ---- Talking to the server ------------------------------------------------------------ */

  function newNonce() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);  // available without HTTPS too, unlike crypto.randomUUID
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /* Send one request; on no answer (or a 5xx) send it again, unchanged, a few times. */
  async function send(method, url, body) {
    for (var attempt = 0; ; attempt++) {
      var controller = new AbortController();
      var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
      try {
        var response = await fetch(url, {
          method: method, credentials: "same-origin", signal: controller.signal,
          headers: body ? {"Content-Type": "application/json", "X-CSRFToken": csrfToken} : {"X-CSRFToken": csrfToken},
          body: body ? JSON.stringify(body) : undefined
        });
        clearTimeout(timer);
        if (response.status >= 500 && attempt < RETRY_DELAYS_MS.length) throw new Error("server " + response.status);
        var data = await response.json().catch(function () { return {}; });
        return {status: response.status, data: data};
      } catch (error) {
        clearTimeout(timer);
        if (attempt >= RETRY_DELAYS_MS.length) return {status: 0, data: {}};
        showVerdict("pending", texts.retrying, "");
        await sleep(RETRY_DELAYS_MS[attempt]);
      }
    }
  }

  function refusalTitle(reason) {
    return reason === "already_redeemed" ? texts.already : texts.refused;
  }

  function showAnswer(result, body) {
    var data = result.data;
    if (result.status === 200 || result.status === 201) {
      showVerdict("accepted", texts.accepted, data.message, SHOW_ACCEPTED_MS);
      signal(true);
      addRow(data);
      setCount(data.workshop_count);
      return true;
    }
    if (result.status === 0) {
      pendingRetry = body;
      showVerdict("offline", texts.noAnswer, texts.noAnswerMessage);
    } else if (result.status === 401) {
      showVerdict("refused", texts.refused, texts.sessionExpired);
    } else {
      showVerdict("refused", refusalTitle(data.reason), data.message || texts.error, SHOW_REFUSED_MS);
    }
    signal(false);
    return false;
  }

  var busy = false;

  /* Ask the server about one ticket (a scanned code or a typed serial), once, whatever the retries;
   * with no network, judge it here and queue it with the same nonce. */
  async function redeem(body) {
    busy = true;
    pendingRetry = null;
    try {
      if (offline || !navigator.onLine) {
        if (!offline) setOffline(true);
        if (kept.ready()) return await judgeHere(body);
        return showAnswer({status: 0, data: {}}, body);
      }
      showVerdict("pending", texts.checking, "");
      var result = await send("POST", root.dataset.redeemUrl, body);
      if (result.status === 0 && kept.ready()) {
        setOffline(true);
        return await judgeHere(body);
      }
      return showAnswer(result, body);
    } finally {
      busy = false;
    }
  }

  /* ---- Offline: a provisional verdict on the phone, a queue, a sync when the network is back -- */

  var kept = window.ScanOffline, offline = false, syncing = false, signedOut = false;
  var networkStatus = $("network-status");
  var offlineContext = {timeZone: root.dataset.timezone, firstDay: root.dataset.firstDay,
                        lastDay: root.dataset.lastDay, nobleSrc: root.dataset.nobleSrc};
  var listUrls = {keys: root.dataset.keysUrl, campaigns: root.dataset.campaignsUrl,
                  revocations: root.dataset.revocationsUrl};

  async function judgeHere(body) {
    var found;
    try {
      found = await kept.judge(body, offlineContext);
    } catch (error) {
      return showAnswer({status: 0, data: {}}, body);  // cannot judge here: say so, keep the nonce for a retry
    }
    if (found.reason) {
      var title = found.reason === "scanned_here" ? texts.already : texts.refused;
      showVerdict("refused", title, reasons[found.reason] || texts.error, SHOW_REFUSED_MS);
      signal(false);
      return false;
    }
    var item = {nonce: body.nonce, workshop_id: body.workshop_id, number: found.number,
                scanned_at: new Date().toISOString(), state: "pending"};
    ["code", "serial", "check_code"].forEach(function (key) { if (body[key] !== undefined) item[key] = body[key]; });
    await kept.putScan(item);
    addQueuedRow(item);
    showVerdict("provisional", texts.provisional,
                texts.provisionalMessage.replace("{serial}", groupedSerial(kept.serialOf(found.number))), SHOW_ACCEPTED_MS);
    signal(true);
    showNetworkStatus();
    return true;
  }

  function setOffline(value) {
    offline = value;
    showNetworkStatus();
  }

  async function showNetworkStatus() {
    var waiting = (await kept.allScans()).filter(function (item) { return item.state === "pending"; }).length;
    var lines = [];
    if (offline) lines.push(texts.offlineMode);
    if (waiting) lines.push(texts.waiting.replace("{count}", String(waiting)));
    if (waiting && signedOut) lines.push(texts.signInToSync);
    networkStatus.textContent = lines.join(" ");
    networkStatus.hidden = lines.length === 0;
  }

  function onSynced(item) {
    if (item.workshop_id !== workshopId) return;
    addQueuedRow(item);
    if (item.state === "confirmed") bumpCount(1);
  }

  /* Send the queue, then refresh the lists kept on the phone; offline again if either fails. */
  async function syncQueue() {
    if (syncing) return;
    syncing = true;
    try {
      var sent = await kept.sync(root.dataset.batchUrl, csrfToken, onSynced);
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
    var scans = (await kept.allScans()).filter(function (item) { return item.workshop_id === workshopId; });
    scans.sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; }).forEach(function (item) {
      if (item.state !== "confirmed" || !rowFor(item.id)) addQueuedRow(item);
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
    window.addEventListener("offline", function () { setOffline(true); });
    setInterval(function () { if (navigator.onLine && (offline || !networkStatus.hidden)) syncQueue(); }, SYNC_EVERY_MS);
  }

  /* The service worker keeps this page and its assets, so it opens again with no network. */
  function registerWorker() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "kept") root.dataset.pageKept = "1";
    });
    navigator.serviceWorker.register(root.dataset.workerUrl).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = [location.href, root.dataset.homeUrl, root.dataset.jsqrSrc];
      document.querySelectorAll('link[rel="stylesheet"], script[src]').forEach(function (element) {
        urls.push(element.href || element.src);
      });
      registration.active.postMessage({type: "keep", urls: urls});
    }).catch(function () { /* no offline shell: the page still works online */ });
  }

  function ticketBody(fields) {
    var body = {workshop_id: workshopId, nonce: newNonce()};
    Object.keys(fields).forEach(function (key) { body[key] = fields[key]; });
    return body;
  }

  /* ---- Decoding: the browser's BarcodeDetector where it exists, jsQR elsewhere ---------- */

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function makeDecoder() {
    if ("BarcodeDetector" in window) {
      try {
        var formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.indexOf("qr_code") >= 0) {
          var detector = new window.BarcodeDetector({formats: ["qr_code"]});
          return async function (source) {
            var found = await detector.detect(source);
            return found.length ? found[0].rawValue : null;
          };
        }
      } catch (error) { /* fall back to jsQR */ }
    }
    await loadScript(root.dataset.jsqrSrc);
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", {willReadFrequently: true});
    return async function (source) {
      var scale = Math.min(1, MAX_DECODE_WIDTH / source.videoWidth);
      var width = Math.round(source.videoWidth * scale), height = Math.round(source.videoHeight * scale);
      if (!width || !height) return null;
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      context.drawImage(source, 0, 0, width, height);
      var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height,
                              {inversionAttempts: "dontInvert"});
      return found ? found.data : null;
    };
  }

  /* ---- The camera and the scanning loop ---------------------------------------------- */

  var stream = null, decode = null, scanning = false, lastCode = null, lastSeenAt = 0;

  function setCameraStatus(message, problem) {
    cameraStatus.textContent = message;
    cameraStatus.classList.toggle("problem", Boolean(problem));
  }

  function cameraProblem(message, canRetry) {
    setCameraStatus(message, true);
    cameraRetry.hidden = !canRetry;
    video.hidden = true;
    manual.open = true;
  }

  function cameraErrorMessage(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") return texts.denied;
    if (name === "NotFoundError" || name === "OverconstrainedError") return texts.noCamera;
    if (name === "NotReadableError" || name === "AbortError") return texts.busy;
    return texts.cameraFailed;
  }

  async function startCamera() {
    if (!window.isSecureContext) return cameraProblem(texts.insecure, false);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return cameraProblem(texts.unsupported, false);
    cameraRetry.hidden = true;
    setCameraStatus(texts.starting, false);
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false, video: {facingMode: {ideal: "environment"}, width: {ideal: 1280}, height: {ideal: 720}}
      });
    } catch (error) {
      return cameraProblem(cameraErrorMessage(error), true);
    }
    video.srcObject = stream;
    video.hidden = false;
    try {
      await video.play();
      decode = decode || await makeDecoder();
    } catch (error) {
      stopCamera();
      return cameraProblem(decode ? texts.cameraFailed : texts.decoderFailed, true);
    }
    setCameraStatus(texts.ready, false);
    scanning = true;
    scanLoop();
  }

  function stopCamera() {
    scanning = false;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
  }

  async function scanLoop() {
    if (!scanning) return;
    if (video.readyState >= 2) {
      try {
        var text = await decode(video);
        if (text) onCode(text.slice(0, MAX_CODE_LENGTH));
      } catch (error) { /* a frame that cannot be read: try the next one */ }
    }
    setTimeout(scanLoop, SCAN_EVERY_MS);
  }

  function onCode(text) {
    var now = Date.now();
    if (text === lastCode) {
      var stillInView = now - lastSeenAt < GONE_AFTER_MS;
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

  /* ---- Wiring ---------------------------------------------------------------------------- */

  manualForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (busy) return;
    var accepted = await redeem(ticketBody({
      serial: manualForm.elements.serial.value, check_code: manualForm.elements.check_code.value
    }));
    if (accepted) manualForm.reset();
  });

  list.addEventListener("submit", async function (event) {
    event.preventDefault();
    var form = event.target, button = form.querySelector("button");
    if (!form.dataset.armed) {  // first tap arms, second tap confirms: no undo by a slip of the thumb
      form.dataset.armed = "1";
      button.textContent = texts.confirmVoid;
      setTimeout(function () { delete form.dataset.armed; button.textContent = texts.voidLabel; }, 4000);
      return;
    }
    button.disabled = true;
    var row = form.closest("li");
    var result = await send("DELETE", root.dataset.voidUrl.replace(/\/0$/, "/" + row.dataset.id));
    button.disabled = false;
    if (result.status === 200) {
      markVoided(row);
      setCount(result.data.workshop_count);
      showVerdict("voided", texts.voided, result.data.message, SHOW_ACCEPTED_MS);
    } else {
      var message = result.status === 0 ? texts.voidNoAnswer : result.data.message || texts.error;
      showVerdict("refused", texts.voidFailed, message, SHOW_REFUSED_MS);
    }
  });

  verdict.addEventListener("click", function (event) {
    if (event.target !== verdictRetry) hideVerdict();
  });
  verdictRetry.addEventListener("click", function () {
    if (pendingRetry && !busy) redeem(pendingRetry);  // the same nonce: the server answers once
  });
  cameraRetry.addEventListener("click", startCamera);
  document.addEventListener("pointerdown", unlockAudio, {passive: true});
  document.addEventListener("keydown", unlockAudio);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (stream) { stopCamera(); root.dataset.resume = "1"; }
    } else if (root.dataset.resume) {
      delete root.dataset.resume;
      startCamera();
    }
  });

  startCamera();
  registerWorker();
  startOffline();
})();
