/* The verdict: the top of the screen in a colour nobody can misread, a pictogram and a word, a tone and a vibration.
 *
 * Green and red are for a verdict on the ticket only: accepted, provisional (accepted offline),
 * refused. Everything else is neutral: voided, pending (a request under way), session (signed
 * out: a "Se reconnecter" link), waiting (the server or the network failed: the scan is kept),
 * notice (a request the server could not take) and offline (no answer and nothing kept: a
 * "Réessayer" button). The pictogram comes from the CSS; the word is said with the verdict on the
 * live region. A verdict goes after a while, or at a tap.
 */
import {byId, texts} from "./page.js";

const HOLD_MS = {accepted: 2500, provisional: 2500, voided: 2500, refused: 6000,  // a refusal has a sentence to read
                 waiting: 6000, notice: 6000};
const WORDS = {accepted: texts.wordAccepted, provisional: texts.wordProvisional, refused: texts.wordRefused,
               voided: texts.wordVoided, pending: texts.wordChecking, session: texts.wordWaiting,
               waiting: texts.wordWaiting, offline: texts.wordWaiting, notice: texts.wordNotice};

const panel = byId("verdict"), word = byId("verdict-word"), title = byId("verdict-title");
const message = byId("verdict-message"), retry = byId("verdict-retry"), signIn = byId("verdict-signin");
const live = byId("verdict-live");
let timer = null, audio = null;

/** Show a verdict; it stays until replaced or tapped if `stay` (or if its kind has no hold time). */
export function showVerdict(kind, heading, sentence = "", {stay = false} = {}) {
  clearTimeout(timer);
  panel.className = `verdict verdict-${kind}`;
  word.textContent = WORDS[kind] || "";
  title.textContent = heading;
  message.textContent = sentence || "";
  retry.hidden = kind !== "offline";
  signIn.hidden = kind !== "session";
  panel.hidden = false;
  live.textContent = [word.textContent, heading, sentence].filter(Boolean).join(". ");
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

const SIGNALS = {
  accepted: {vibration: 120, wave: "sine", tones: [[880, 0, 0.12], [1320, 0.12, 0.1]]},
  refused: {vibration: [90, 60, 90, 60, 250], wave: "square", tones: [[220, 0, 0.2], [165, 0.25, 0.3]]},
  neutral: {vibration: [40, 80, 40], wave: "sine", tones: [[660, 0, 0.08], [660, 0.16, 0.08]]},
};

/** Vibrate and play a tone where the phone allows (`outcome`: accepted, refused or neutral): a short
 * high one, low twice for a refusal, two short middle ones when nothing was said about the ticket. */
export function signal(outcome) {
  const {vibration, wave, tones} = SIGNALS[outcome];
  if (navigator.vibrate) navigator.vibrate(vibration);
  if (!audio || audio.state !== "running") return;
  tones.forEach(([frequency, start, length]) => {
    const oscillator = audio.createOscillator(), gain = audio.createGain();
    oscillator.type = wave;
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

panel.addEventListener("click", (event) => { if (event.target !== retry && event.target !== signIn) hideVerdict(); });
document.addEventListener("pointerdown", unlockAudio, {passive: true});
document.addEventListener("keydown", unlockAudio);
