// Real tickets for the Node tests: Ed25519 keys from Node's crypto and codes laid out as the server
// lays them (partner_site/domain/codes.py's encode_code), written with an independent base32 encoder.
import {generateKeyPairSync, sign} from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Encode bytes as unpadded base32 (RFC 4648). */
export function base32Encode(bytes) {
  let bits = "";
  for (const byte of bytes) bits += byte.toString(2).padStart(8, "0");
  bits = bits.padEnd(Math.ceil(bits.length / 5) * 5, "0");
  let out = "";
  for (let i = 0; i < bits.length; i += 5) out += ALPHABET[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

/** Return a signing key and its public key as the API publishes it (raw, base64url). */
export function newKey() {
  const {privateKey, publicKey} = generateKeyPairSync("ed25519");
  return {privateKey, publicKey: publicKey.export({format: "jwk"}).x};
}

/** Return the 6-byte header `version | key id | ticket number` of a code. */
export function header(kid, number, version = 1) {
  const bytes = Buffer.alloc(6);
  bytes.writeUInt8(version, 0);
  bytes.writeUInt8(kid, 1);
  bytes.writeUInt32BE(number, 2);
  return bytes;
}

/** Return the signed code of a ticket, as printed in its QR. */
export function codeOf(key, kid, number, version = 1) {
  const payload = header(kid, number, version);
  return base32Encode(Buffer.concat([payload, sign(null, payload, key.privateKey)]));
}

// A code made by the server's own encode_code, to pin the layout: the key's private bytes are
// 00 01 02 ... 1f, key id 7, ticket 123456789 (serial 123 456 789 7).
export const SERVER_MADE = {
  publicKey: "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg",
  kid: 7,
  number: 123456789,
  code: "AEDQOW6NCW65XYWOHCYSB7RPZKQL4BFM372RDYZOXRT4G7BSVDFCLZL7ZDG6GMFD4DNDPFOHLYSFD4BNQOPFOBYAFFLBRK6AZSKXZ2A25WWNYQAD",
};
