"""Ticket codes: signatures, encodings, serials and check codes, without HTTP."""
import base64

import pytest
import qrcode
import zxingcpp

from partner_site.domain import codes
from partner_site.domain.keys import Keyring


@pytest.fixture
def keyring(tmp_path):
    return Keyring(str(tmp_path / "keys.json"))


def make_code(keyring, number=123_456_789):
    kid, key = keyring.signing_key()
    return codes.encode_code(key, kid, number)


def test_a_code_verifies_with_the_public_key_alone(keyring):
    code = make_code(keyring)
    decoded = codes.verify_code(code, keyring.public_keys())
    assert decoded.ticket_number == 123_456_789
    assert decoded.key_id == keyring.active_kid
    assert len(code) == codes.CODE_LENGTH
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _flip(code: str, position: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return code[:position] + alphabet[(alphabet.index(code[position]) + 1) % 32] + code[position + 1:]


@pytest.mark.parametrize("position", [9, 20, 60, 100])
def test_a_tampered_code_is_refused_as_bad_signature(keyring, position):
    # Characters 0-9 hold the header; flipping one of them changes the ticket or key named.
    code = _flip(make_code(keyring), position)
    with pytest.raises(codes.CodeError) as err:
        codes.verify_code(code, keyring.public_keys())
    assert err.value.reason == "bad_signature"


def test_a_code_for_another_ticket_number_with_the_old_signature_is_refused(keyring):
    code = make_code(keyring, 1000)
    raw = bytearray(base64.b32decode(code))
    raw[5] ^= 0x01  # ticket 1001, same signature
    forged = base64.b32encode(bytes(raw)).decode()
    with pytest.raises(codes.CodeError) as err:
        codes.verify_code(forged, keyring.public_keys())
    assert err.value.reason == "bad_signature"


@pytest.mark.parametrize("mangle", [
    lambda c: c[:-1],  # truncated
    lambda c: c[:50],
    lambda c: c + "A",  # too long
    lambda c: c.lower(),  # re-encoded in lower case
    lambda c: base64.b64encode(base64.b32decode(c)).decode(),  # re-encoded in base64
    lambda c: c + "====",  # padded
    lambda c: "",
    lambda c: c[:40] + " " + c[41:],
])
def test_truncated_or_re_encoded_codes_are_malformed(keyring, mangle):
    with pytest.raises(codes.CodeError) as err:
        codes.verify_code(mangle(make_code(keyring)), keyring.public_keys())
    assert err.value.reason == "malformed"


def test_a_wrong_format_version_is_malformed(keyring):
    raw = bytearray(base64.b32decode(make_code(keyring)))
    raw[0] = 2
    with pytest.raises(codes.CodeError) as err:
        codes.verify_code(base64.b32encode(bytes(raw)).decode(), keyring.public_keys())
    assert err.value.reason == "malformed"


def test_a_code_signed_by_a_key_we_do_not_know_is_refused(keyring, tmp_path):
    stranger = Keyring(str(tmp_path / "other.json"))
    stranger.rotate()  # kid 2: unknown here
    with pytest.raises(codes.CodeError) as err:
        codes.verify_code(make_code(stranger), keyring.public_keys())
    assert err.value.reason == "unknown_key"


def test_a_code_signed_by_another_key_with_our_key_id_is_a_bad_signature(keyring, tmp_path):
    impostor = Keyring(str(tmp_path / "other.json"))  # also kid 1, another key
    with pytest.raises(codes.CodeError) as err:
        codes.verify_code(make_code(impostor), keyring.public_keys())
    assert err.value.reason == "bad_signature"


def test_rotation_keeps_old_codes_valid_until_the_key_is_retired(keyring):
    old_code = make_code(keyring)
    new_kid = keyring.rotate()
    new_code = make_code(keyring)
    assert codes.verify_code(new_code, keyring.public_keys()).key_id == new_kid
    assert codes.verify_code(old_code, keyring.public_keys()).key_id == 1
    keyring.retire(1)
    with pytest.raises(codes.CodeError) as err:
        codes.verify_code(old_code, keyring.public_keys())
    assert err.value.reason == "unknown_key"
    with pytest.raises(ValueError):
        keyring.retire(new_kid)


def test_the_key_file_is_private(keyring):
    import os
    import stat

    keyring.public_keys()
    assert stat.S_IMODE(os.stat(keyring.path).st_mode) == 0o600


def test_the_qr_of_a_real_code_is_version_6_or_less_at_level_m(keyring, tmp_path):
    code = make_code(keyring, codes.MAX_TICKET_NUMBER)
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(qrcode.util.QRData(code, mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    assert qr.version <= 6
    # And a decoder we did not write reads it back, in alphanumeric mode.
    image = qr.make_image().get_image().convert("L")
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [code]
    assert results[0].symbology_identifier in ("]Q1", "]Q0")


def test_qrcode_picks_alphanumeric_mode_by_itself(keyring):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(make_code(keyring))
    qr.make(fit=True)
    assert qr.data_list[0].mode == qrcode.util.MODE_ALPHA_NUM
    assert qr.version <= 6


def test_serials_carry_a_luhn_digit_that_catches_typos():
    serial = codes.ticket_serial(1234501)
    assert len(serial) == 10
    assert codes.parse_serial(serial) == 1234501
    assert codes.parse_serial(codes.format_serial(serial)) == 1234501
    typo = serial[:3] + str((int(serial[3]) + 1) % 10) + serial[4:]
    with pytest.raises(codes.CodeError):
        codes.parse_serial(typo)
    swapped = serial[:4] + serial[5] + serial[4] + serial[6:]
    if swapped != serial:
        with pytest.raises(codes.CodeError):
            codes.parse_serial(swapped)


def test_check_codes_avoid_ambiguous_characters_and_depend_on_the_secret():
    secret = b"k" * 32
    values = {codes.check_code(secret, n) for n in range(1000, 3000)}
    assert len(values) > 1990
    assert not set("".join(values)) & set("01OIL")
    assert codes.check_code(b"x" * 32, 1000) != codes.check_code(secret, 1000)
    assert codes.check_code_matches(secret, 1000, codes.format_check_code(codes.check_code(secret, 1000)).lower())
