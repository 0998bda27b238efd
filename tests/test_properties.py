"""Property-based tests: whatever a scanner or a person types, the parsers answer cleanly."""
import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partner_site.domain import codes
from partner_site.domain.keys import Keyring

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@pytest.fixture(scope="module")
def keyring(tmp_path_factory):
    return Keyring(str(tmp_path_factory.mktemp("prop") / "keys.json"))


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=300), st.text(alphabet=ALPHABET, min_size=100, max_size=120),
                      st.binary(max_size=80).map(lambda b: base64.b32encode(b).decode().rstrip("="))))
def test_any_text_is_refused_with_a_reason_or_verified(keyring, text):
    try:
        decoded = codes.verify_code(text, keyring.public_keys())
    except codes.CodeError as err:
        assert err.reason in {"malformed", "bad_signature", "unknown_key"}
    else:  # only a code we signed can get here
        assert codes.encode_code(keyring.signing_key()[1], decoded.key_id, decoded.ticket_number) == text.strip()


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.integers(0, codes.MAX_TICKET_NUMBER), position=st.integers(0, codes.CODE_LENGTH - 1),
       replacement=st.sampled_from(ALPHABET))
def test_changing_any_character_of_a_real_code_is_never_accepted(keyring, number, position, replacement):
    kid, key = keyring.signing_key()
    code = codes.encode_code(key, kid, number)
    mutated = code[:position] + replacement + code[position + 1:]
    if mutated == code:
        return
    with pytest.raises(codes.CodeError) as err:
        codes.verify_code(mutated, keyring.public_keys())
    assert err.value.reason in {"malformed", "bad_signature", "unknown_key"}


@given(number=st.integers(0, codes.MAX_TICKET_NUMBER))
def test_a_serial_parses_back_whatever_its_spacing(number):
    serial = codes.ticket_serial(number)
    assert codes.parse_serial(serial) == number
    assert codes.parse_serial(codes.format_serial(serial)) == number
    assert codes.parse_serial("-".join(serial)) == number


@given(number=st.integers(0, codes.MAX_TICKET_NUMBER), position=st.integers(0, 9), digit=st.integers(0, 9))
def test_a_single_wrong_digit_in_a_serial_is_always_caught(number, position, digit):
    serial = codes.ticket_serial(number)
    typo = serial[:position] + str(digit) + serial[position + 1:]
    if typo == serial:
        return
    with pytest.raises(codes.CodeError):
        codes.parse_serial(typo)


@given(text=st.text(max_size=40))
def test_any_typed_serial_parses_or_is_malformed(text):
    try:
        number = codes.parse_serial(text)
    except codes.CodeError as err:
        assert err.reason == "malformed"
    else:
        assert 0 <= number <= codes.MAX_TICKET_NUMBER


@given(text=st.text(max_size=40), number=st.integers(0, codes.MAX_TICKET_NUMBER))
def test_any_typed_check_code_is_compared_without_error(text, number):
    secret = b"s" * 32
    result = codes.check_code_matches(secret, number, text)
    assert result == (codes.normalize_check_code(text) == codes.check_code(secret, number))
