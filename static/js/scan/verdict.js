/* The verdict: the top of the screen in a colour nobody can misread, a tone and a vibration.
 *
 * Kinds: accepted, provisional (accepted offline), voided, refused, pending (a request under way)
 * and offline (no answer: a "Réessayer" button). A verdict goes after a while, or at a tap.
 */
import {byId} from "./page.js";

const HOLD_MS = {accepted: 2500, provisional: 2500, voided: 2500, refused: 6000};  // a refusal has a sentence to read

const panel = byId("verdict"), title = byId("verdict-title"), message = byId("verdict-message");
const retry = byId("verdict-retry"), live = byId("verdict-live");
let timer = null, audio = null;

/** Show a verdict; it stays until replaced or tapped if `stay` (or if its kind has no hold time). */
export function showVerdict(kind, heading, sentence = "", {stay = false} = {}) {
  clearTimeout(timer);
  panel.className = `verdict verdict-${kind}`;
  title.textContent = heading;
  message.textContent = sentence || "";
  retry.hidden = kind !== "offline";
  panel.hidden = false;
  live.textContent = `${heading}. ${sentence || ""}`;
  if (HOLD_MS[kind] && !stay) timer = setTimeout(hideVerdict, HOLD_MS[kind]);
}

/** Take the verdict off the screen. */
export function hideVerdict() {
  clearTimeout(timer);
  panel.hidden = true;
}

/** Tell whether a verdict is on the screen. */
export function verdictShown() { return !panel.hidden; }

/** Call `handler` when the trainer taps "Réessayer" on a verdict of kind offline. */
export function onRetry(handler) { retry.addEventListener("click", handler); }

/** Vibrate and play a tone where the phone allows: a short high one, or low twice for a refusal. */
export function signal(accepted) {
  if (navigator.vibrate) navigator.vibrate(accepted ? 120 : [90, 60, 90, 60, 250]);
  if (!audio || audio.state !== "running") return;
  const tones = accepted ? [[880, 0, 0.12], [1320, 0.12, 0.1]] : [[220, 0, 0.2], [165, 0.25, 0.3]];
  tones.forEach(([frequency, start, length]) => {
    const oscillator = audio.createOscillator(), gain = audio.createGain();
    oscillator.type = accepted ? "sine" : "square";
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.15;
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start(audio.currentTime + start);
    oscillator.stop(audio.currentTime + start + length);
  });
}

/* Browsers play sound only after a gesture: the first tap or key press unlocks it. */
function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  if (audio && audio.state === "suspended") audio.resume();
}

panel.addEventListener("click", (event) => { if (event.target !== retry) hideVerdict(); });
document.addEventListener("pointerdown", unlockAudio, {passive: true});
document.addEventListener("keydown", unlockAudio);
