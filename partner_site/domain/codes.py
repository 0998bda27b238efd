"""Ticket codes: signed QR payloads, printed serials with a check digit, and check codes.

A code is `version | key id | ticket number` (6 bytes) followed by its Ed25519 signature
(64 bytes), written in uppercase base32 without padding: 112 characters from the QR
alphanumeric set, which fit a version 5 QR code at error correction M.
"""
import base64
import binascii
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

FORMAT_VERSION = 1
_HEADER = struct.Struct(">BBI")
SIGNATURE_LENGTH = 64
CODE_LENGTH = 112
_CODE_RE = re.compile(r"[A-Z2-7]{%d}" % CODE_LENGTH)
MAX_TICKET_NUMBER = 999_999_999

# The check code's alphabet: no 0/O, 1/I/L, so a person can copy it from paper.
CHECK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_LENGTH = 6  # 31**6 is about 2**29.7


class CodeError(Exception):
    """A code that cannot identify a ticket; `reason` is a stable refusal code."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DecodedCode:
    version: int
    key_id: int
    ticket_number: int


def luhn_digit(digits: str) -> str:
    """Return the Luhn check digit for a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def ticket_serial(number: int) -> str:
    """Return the printed serial of a ticket: nine digits and a Luhn check digit."""
    body = f"{number:09d}"
    return body + luhn_digit(body)


def booklet_serial(number: int) -> str:
    """Return the printed serial of a booklet: seven digits and a Luhn check digit."""
    body = f"{number:07d}"
    return body + luhn_digit(body)


def format_serial(serial: str) -> str:
    """Group a serial's digits for reading aloud: 000 123 456 7."""
    return " ".join([serial[0:3], serial[3:6], serial[6:9], serial[9:]]) if len(serial) == 10 else serial


def parse_serial(text: str, length: int = 10) -> int:
    """Return the number behind a typed serial, refusing typos the check digit catches."""
    digits = re.sub(r"[\s.\-]", "", str(text or ""))
    if len(digits) != length or not (digits.isascii() and digits.isdigit()):  # "²" is a digit to Python
        raise CodeError("malformed")
    if luhn_digit(digits[:-1]) != digits[-1]:
        raise CodeError("malformed")
    return int(digits[:-1])


def normalize_check_code(text: str) -> str:
    """Return a typed check code without spaces or dashes, in upper case."""
    return re.sub(r"[\s\-]", "", str(text or "")).upper()


def check_code(secret: bytes, number: int) -> str:
    """Return the short check code printed beside the serial; only the server can compute it."""
    mac = hmac.new(secret, b"check-code:" + number.to_bytes(8, "big"), hashlib.sha256).digest()
    value = int.from_bytes(mac[:8], "big") % (len(CHECK_ALPHABET) ** CHECK_LENGTH)
    out = []
    for _ in range(CHECK_LENGTH):
        value, rem = divmod(value, len(CHECK_ALPHABET))
        out.append(CHECK_ALPHABET[rem])
    return "".join(out)


def check_code_matches(secret: bytes, number: int, typed: str) -> bool:
    """Compare a typed check code with the right one in constant time."""
    typed_bytes = normalize_check_code(typed).encode("utf-8")  # bytes: any typed character compares cleanly
    return hmac.compare_digest(check_code(secret, number).encode("ascii"), typed_bytes)


def format_check_code(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


def encode_code(private_key, key_id: int, ticket_number: int) -> str:
    """Return the signed text code of a ticket, as printed in its QR."""
    if not 0 <= ticket_number <= MAX_TICKET_NUMBER:
        raise ValueError("ticket number out of range")
    payload = _HEADER.pack(FORMAT_VERSION, key_id, ticket_number)
    signature = private_key.sign(payload)
    return base64.b32encode(payload + signature).decode("ascii")


def parse_code(text) -> tuple[DecodedCode, bytes, bytes]:
    """Split a text code into its fields, payload and signature, refusing malformed input."""
    if not isinstance(text, str) or not _CODE_RE.fullmatch(text.strip()):
        raise CodeError("malformed")
    try:
        raw = base64.b32decode(text.strip())
    except (binascii.Error, ValueError):
        raise CodeError("malformed") from None
    payload, signature = raw[: _HEADER.size], raw[_HEADER.size :]
    version, key_id, number = _HEADER.unpack(payload)
    if version != FORMAT_VERSION or len(signature) != SIGNATURE_LENGTH or number > MAX_TICKET_NUMBER:
        raise CodeError("malformed")
    return DecodedCode(version, key_id, number), payload, signature


def verify_code(text, public_keys: dict) -> DecodedCode:
    """Return the decoded code if its signature verifies with the public key it names."""
    decoded, payload, signature = parse_code(text)
    key = public_keys.get(decoded.key_id)
    if key is None:
        raise CodeError("unknown_key")
    try:
        key.verify(signature, payload)
    except InvalidSignature:
        raise CodeError("bad_signature") from None
    return decoded
