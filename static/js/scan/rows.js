/* The tickets validated at this workshop: the running count and the list, with undo in two taps.
 *
 * A row comes from the server's answer (found by redemption id), or from a scan judged on the
 * phone (found by nonce), which waits for the server: pending, then confirmed or conflict.
 */
import {groupedSerial, serialOf} from "./codes.js";
import {byId, settings, texts} from "./page.js";

const list = byId("redemptions"), emptyNote = byId("no-redemptions"), count = byId("count");
const template = byId("redemption-template");
const timeFormat = new Intl.DateTimeFormat("fr-FR", {hour: "2-digit", minute: "2-digit", timeZone: settings.timezone});
const ARMED_MS = 4000;

function rowFor(id) { return list.querySelector(`li[data-id="${id}"]`); }

function newRow(serial, scannedAt) {
  const row = template.content.firstElementChild.cloneNode(true);
  row.querySelector(".serial").textContent = groupedSerial(serial);
  row.querySelector(".time").textContent = timeFormat.format(new Date(scannedAt));
  list.insertBefore(row, list.firstChild);
  emptyNote.hidden = true;
  return row;
}

/** Show a redemption the server accepted (its answer: id, serial, scanned_at, voidable). */
export function addRow(answer) {
  let row = rowFor(answer.id);
  if (!row) {
    row = newRow(answer.serial, answer.scanned_at);
    row.dataset.id = answer.id;
    const form = row.querySelector("form");
    form.action = form.action.replace(/\/0\/void$/, `/${answer.id}/void`);
  }
  const form = row.querySelector("form");
  if (form && !answer.voidable) form.remove();
  emptyNote.hidden = true;
}

/** Show a scan of the queue in its state: pending, confirmed, or conflict with the server's sentence. */
export function addQueuedRow(item) {
  let row = list.querySelector(`li[data-nonce="${item.nonce}"]`) || (item.id && rowFor(item.id));
  if (!row) {
    row = newRow(serialOf(item.number), item.scanned_at);
    row.dataset.nonce = item.nonce;
    row.querySelector("form").remove();  // nothing to undo before the server has it
  }
  row.classList.remove("provisional", "confirmed", "conflict");
  row.classList.add(item.state === "pending" ? "provisional" : item.state);
  row.querySelector(".state").textContent = item.state === "pending" ? texts.pendingState
    : item.state === "confirmed" ? texts.confirmedState : item.message;
  if (item.id) row.dataset.id = item.id;
  emptyNote.hidden = true;
}

/** Tell whether the list shows a redemption (by the server's id). */
export function hasRow(id) { return Boolean(rowFor(id)); }

/** Show a row's redemption as undone: no undo button any more. */
export function markVoided(row) {
  row.classList.add("voided");
  row.querySelector(".state").textContent = texts.voidedState;
  const form = row.querySelector("form");
  if (form) form.remove();
}

/** Show the workshop's count of validated tickets, as the server gives it. */
export function setCount(value) {
  if (typeof value === "number") count.textContent = String(value);
}

/** Add to the count (a scan confirmed at sync). */
export function bumpCount(delta) { setCount(parseInt(count.textContent, 10) + delta); }

/** Call `handler(row)` when a row's undo is confirmed: the first tap arms it, the second confirms
 * (no undo by a slip of the thumb). The button is disabled while the handler runs. */
export function onVoid(handler) {
  list.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target, button = form.querySelector("button");
    if (!form.dataset.armed) {
      form.dataset.armed = "1";
      button.textContent = texts.confirmVoid;
      setTimeout(() => { delete form.dataset.armed; button.textContent = texts.voidLabel; }, ARMED_MS);
      return;
    }
    button.disabled = true;
    await handler(form.closest("li"));
    button.disabled = false;
  });
}
