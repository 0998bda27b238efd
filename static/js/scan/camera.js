/* The camera and the scanning loop: the rear camera, several frames a second, each decoded.
 *
 * Decoding uses the browser's BarcodeDetector where it reads QR codes, else jsQR, loaded only then.
 * When the camera cannot be used, the page says why and opens the manual entry. The camera stops
 * while the page is hidden and starts again when it is shown.
 */
import {byId, root, settings, texts} from "./page.js";

const SCAN_EVERY_MS = 150;       // pause between two decoded frames
const MAX_DECODE_WIDTH = 640;
const MAX_CODE_LENGTH = 512;     // longer texts are not tickets; the server still gives the verdict

const video = byId("video"), status = byId("camera-status"), retry = byId("camera-retry"), manual = byId("manual");
let stream = null, decode = null, scanning = false, onCode = () => {};

/* ---- Decoding: the browser's BarcodeDetector where it exists, jsQR elsewhere ------------- */

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
}

/** Return decode(video): the text of a QR code in the current frame, or null. */
async function makeDecoder() {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const detector = new window.BarcodeDetector({formats: ["qr_code"]});
        return async (source) => {
          const found = await detector.detect(source);
          return found.length ? found[0].rawValue : null;
        };
      }
    } catch (error) { /* fall back to jsQR */ }
  }
  await loadScript(settings.jsqrSrc);
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", {willReadFrequently: true});
  return async (source) => {
    const scale = Math.min(1, MAX_DECODE_WIDTH / source.videoWidth);
    const width = Math.round(source.videoWidth * scale), height = Math.round(source.videoHeight * scale);
    if (!width || !height) return null;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    context.drawImage(source, 0, 0, width, height);
    const found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height,
                              {inversionAttempts: "dontInvert"});
    return found ? found.data : null;
  };
}

/* ---- The camera -------------------------------------------------------------------------- */

function setStatus(message, problem) {
  status.textContent = message;
  status.classList.toggle("problem", Boolean(problem));
}

function cameraProblem(message, canRetry) {
  setStatus(message, true);
  retry.hidden = !canRetry;
  video.hidden = true;
  manual.open = true;
}

function errorMessage(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError") return texts.denied;
  if (name === "NotFoundError" || name === "OverconstrainedError") return texts.noCamera;
  if (name === "NotReadableError" || name === "AbortError") return texts.busy;
  return texts.cameraFailed;
}

async function startCamera() {
  if (!window.isSecureContext) return cameraProblem(texts.insecure, false);
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return cameraProblem(texts.unsupported, false);
  retry.hidden = true;
  setStatus(texts.starting, false);
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false, video: {facingMode: {ideal: "environment"}, width: {ideal: 1280}, height: {ideal: 720}},
    });
  } catch (error) {
    return cameraProblem(errorMessage(error), true);
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
  setStatus(texts.ready, false);
  scanning = true;
  scanLoop();
}

function stopCamera() {
  scanning = false;
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
}

async function scanLoop() {
  if (!scanning) return;
  if (video.readyState >= 2) {
    try {
      const text = await decode(video);
      if (text) onCode(text.slice(0, MAX_CODE_LENGTH));
    } catch (error) { /* a frame that cannot be read: try the next one */ }
  }
  setTimeout(scanLoop, SCAN_EVERY_MS);
}

/** Open the camera and call `handler(text)` for each frame where a QR code is read. */
export function startScanning(handler) {
  onCode = handler;
  retry.addEventListener("click", startCamera);
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      if (stream) {
        stopCamera();
        root.dataset.resume = "1";
      }
    } else if (root.dataset.resume) {
      delete root.dataset.resume;
      startCamera();
    }
  });
  startCamera();
}
