// Ticket codes and serials as the phone reads them: static/js/scan/codes.js.
import assert from "node:assert/strict";
import {describe, test} from "node:test";

import {base32, base64url, groupedSerial, luhnDigit, numberOf, readCode, readSerial, serialOf} from "../../static/js/scan/codes.js";
import {SERVER_MADE, base32Encode, codeOf, newKey} from "./tickets.mjs";

const text = (bytes) => Buffer.from(bytes).toString("latin1");

describe("base32", () => {
  test("decodes the RFC 4648 test vectors, unpadded", () => {
    const vectors = {"": "", MY: "f", MZXQ: "fo", MZXW6: "foo", MZXW6YQ: "foob", MZXW6YTB: "fooba", MZXW6YTBOI: "foobar"};
    for (const [encoded, decoded] of Object.entries(vectors)) assert.equal(text(base32(encoded)), decoded, encoded);
  });

  test("decodes every byte value", () => {
    const bytes = Uint8Array.from({length: 256}, (_, i) => i);
    assert.deepEqual(base32(base32Encode(bytes)), bytes);
  });

  test("refuses a character outside the alphabet", () => {
    for (const bad of ["MZXW0", "MZXW1", "MZXW8", "mzxw6", "MZXW=", "MZ W6"]) assert.equal(base32(bad), null, bad);
  });
});

describe("base64url", () => {
  test("decodes a public key as the API publishes it (no padding)", () => {
    assert.deepEqual(base64url(SERVER_MADE.publicKey), new Uint8Array(Buffer.from(SERVER_MADE.publicKey, "base64url")));
    assert.equal(base64url(SERVER_MADE.publicKey).length, 32);
  });

  test("decodes the URL-safe characters - and _", () => {
    assert.deepEqual(base64url("-_8"), Uint8Array.from([0xfb, 0xff]));
  });
});

describe("readCode", () => {
  test("reads a code the server made", () => {
    const code = readCode(SERVER_MADE.code);
    assert.equal(code.kid, SERVER_MADE.kid);
    assert.equal(code.number, SERVER_MADE.number);
    assert.equal(code.message.length, 6);
    assert.equal(code.signature.length, 64);
  });

  test("reads a ticket number above 2^31 as positive", () => {
    assert.equal(readCode(codeOf(newKey(), 1, 0xfffffffe)).number, 4294967294);
  });

  test("refuses a text that is not a code", () => {
    const good = SERVER_MADE.code;
    const cases = {
      "one character short": good.slice(1),
      "one character too many": good + "A",
      "lower case": good.toLowerCase(),
      "a character outside base32": good.slice(0, 50) + "0" + good.slice(51),
      "padding": good.slice(0, 104) + "========",
      "a URL": "https://example.org/?" + good.slice(21),
      "empty": "",
    };
    for (const [what, input] of Object.entries(cases)) assert.deepEqual(readCode(input), {reason: "malformed"}, what);
  });

  test("refuses a code of another format version", () => {
    assert.deepEqual(readCode(codeOf(newKey(), 1, 42, 2)), {reason: "malformed"});
  });
});

describe("serials", () => {
  // Serials printed by the server (partner_site/domain/codes.py's ticket_serial).
  const PRINTED = {0: "0000000000", 1: "0000000018", 42: "0000000422", 20000: "0000200006",
                   123456789: "1234567897", 999999999: "9999999999"};

  test("luhnDigit gives the server's check digits", () => {
    for (const serial of Object.values(PRINTED)) assert.equal(luhnDigit(serial.slice(0, 9)), serial[9], serial);
  });

  test("serialOf writes the number on nine digits and its check digit", () => {
    for (const [number, serial] of Object.entries(PRINTED)) assert.equal(serialOf(Number(number)), serial);
  });

  test("readSerial reads a serial typed with spaces, dots or dashes", () => {
    assert.equal(readSerial("1234567897"), 123456789);
    assert.equal(readSerial("123 456 789 7"), 123456789);
    assert.equal(readSerial(" 123.456.789-7 "), 123456789);
    assert.equal(readSerial("0000000018"), 1);
  });

  test("readSerial refuses a wrong check digit, swapped digits and wrong lengths", () => {
    const cases = {
      "wrong check digit": "1234567890",
      "two digits swapped": "2134567897",
      "one digit mistyped": "1234557897",
      "nine digits": "123456789",
      "eleven digits": "12345678970",
      "a letter": "12345678I7",
      "empty": "",
    };
    for (const [what, typed] of Object.entries(cases)) assert.equal(readSerial(typed), null, what);
  });

  test("groupedSerial groups digits for reading aloud", () => {
    assert.equal(groupedSerial("1234567897"), "123 456 789 7");
  });
});

describe("numberOf", () => {
  test("reads the ticket number of a scanned code or of a typed serial", () => {
    assert.equal(numberOf({code: SERVER_MADE.code}), SERVER_MADE.number);
    assert.equal(numberOf({serial: "123 456 789 7", check_code: "ABC-DEF"}), 123456789);
  });

  test("returns null for a code or a serial that cannot be read", () => {
    assert.equal(numberOf({code: "NOT A CODE"}), null);
    assert.equal(numberOf({serial: "123 456 789 8", check_code: "ABC-DEF"}), null);
  });
});
