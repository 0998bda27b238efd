/* Ticket codes and printed serials, read as the server writes them (partner_site/domain/codes.py).
 *
 * A code is `version | key id | ticket number` (6 bytes) and its Ed25519 signature (64 bytes), in
 * unpadded base32: 112 characters. A serial is the ticket number on nine digits and a Luhn digit.
 * Pure logic: no DOM, no storage, no network (tests/js/codes.test.mjs runs it in Node).
 */

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const CODE_RE = /^[A-Z2-7]{112}$/;
const FORMAT_VERSION = 1;
const HEADER_LENGTH = 6;

/** Decode unpadded base32 (RFC 4648); null if a character is outside the alphabet. */
export function base32(text) {
  const bytes = new Uint8Array(Math.floor(text.length * 5 / 8));
  let bits = 0, value = 0, index = 0;
  for (const char of text) {
    const digit = BASE32.indexOf(char);
    if (digit < 0) return null;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes[index++] = (value >>> (bits - 8)) & 255;
      bits -= 8;
    }
  }
  return bytes;
}

/** Decode unpadded base64url (the public keys' encoding). */
export function base64url(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Read a scanned text: {kid, number, message, signature}, or {reason: "malformed"}. */
export function readCode(text) {
  if (!CODE_RE.test(text)) return {reason: "malformed"};
  const raw = base32(text);
  if (raw[0] !== FORMAT_VERSION) return {reason: "malformed"};
  const number = ((raw[2] << 24) >>> 0) + (raw[3] << 16) + (raw[4] << 8) + raw[5];
  return {kid: raw[1], number, message: raw.slice(0, HEADER_LENGTH), signature: raw.slice(HEADER_LENGTH)};
}

/** Return the Luhn check digit of a string of digits. */
export function luhnDigit(digits) {
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = parseInt(digits[digits.length - 1 - i], 10);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return String((10 - total % 10) % 10);
}

/** Return a ticket's printed serial: its number on nine digits and a Luhn digit. */
export function serialOf(number) {
  const body = String(number).padStart(9, "0");
  return body + luhnDigit(body);
}

/** Return the ticket number behind a typed serial (spaces, dots, dashes allowed), or null for a typo. */
export function readSerial(text) {
  const digits = String(text).replace(/[\s.\-]/g, "");
  if (!/^\d{10}$/.test(digits) || luhnDigit(digits.slice(0, 9)) !== digits[9]) return null;
  return parseInt(digits.slice(0, 9), 10);
}

/** Return the ticket number a scan names (a code's, its signature unchecked, or a typed serial's), or null. */
export function numberOf(body) {
  if (body.code !== undefined) {
    const code = readCode(body.code);
    return code.reason ? null : code.number;
  }
  return readSerial(body.serial);
}

/** Group a serial's digits for reading aloud: 000 123 456 7. */
export function groupedSerial(serial) {
  return [serial.slice(0, 3), serial.slice(3, 6), serial.slice(6, 9), serial.slice(9)].join(" ");
}
