/* What the template gives the scan page's script: its settings, URLs and French texts.
 *
 * Every French text comes from the template (#scan-texts, #offline-reasons): none is written in
 * JavaScript. Module scripts run once the document is parsed, so these elements exist here.
 */

export const byId = (id) => document.getElementById(id);

/** The page's root element; its data-* attributes carry the workshop, the URLs and the time zone. */
export const root = byId("scan");
export const settings = root.dataset;
export const texts = byId("scan-texts").dataset;
/** The sentence of each refusal the phone can make offline, by reason code. */
export const reasons = byId("offline-reasons").dataset;
export const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
export const workshopId = parseInt(settings.workshopId, 10);
