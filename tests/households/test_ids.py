"""Resident IDs: GB 11643 check character, birth date, keyed hash, encryption, masking."""

import pytest
from cryptography.fernet import InvalidToken

from households import ids

# The standard's worked example: 11010519491231002X (check character X).
VALID = "11010519491231002X"


def test_check_character_matches_the_gb_11643_example():
    assert ids.check_character("11010519491231002") == "X"
    assert ids.check_character("44052418800101001") == "4"  # the 1880 example of the standard
    assert ids.resident_id_problem(VALID) is None
    assert "out of range" in ids.resident_id_problem("440524188001010014")  # before 1900


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "check digit is wrong"),
        ("11010519491331002X", "birth date inside the ID (19491331) is not a date"),
        ("11010518491231002X", "out of range"),
        ("11010520991231002X", "out of range"),
        ("1101051949123100", "18 characters"),
        ("11010519491231002x", "18 characters"),
    ],
)
def test_resident_id_problem_names_the_fault(value, message):
    assert message in ids.resident_id_problem(value)


def test_birth_date_is_read_from_the_id():
    assert ids.birth_date(VALID).isoformat() == "1949-12-31"


def test_hash_is_keyed_and_stable(settings):
    first = ids.id_hash(VALID)
    assert first == ids.id_hash(VALID.lower()) and len(first) == 64
    settings.RESIDENT_ID_KEY = "another key"
    assert ids.id_hash(VALID) != first


def test_encryption_round_trip_and_wrong_key_fails(settings):
    token = ids.id_encrypt(VALID)
    assert VALID not in token and ids.id_decrypt(token) == VALID
    settings.RESIDENT_ID_KEY = "another key"
    with pytest.raises(InvalidToken):
        ids.id_decrypt(token)


def test_mask_keeps_four_and_four():
    assert ids.id_mask("529922198001010135") == "5299**********0135"
    assert ids.id_mask("1234") == "****"


def test_registry_mask_keeps_the_village_code_and_the_last_two_characters():
    assert ids.registry_mask("6404221000020001", "640422100002") == "640422100002****"
    assert ids.registry_mask("SILC-123456", "AT1") == "SI*********"  # another scheme's own id
    assert ids.registry_mask("6404221000020001", "640422100004") == "64**************"  # not its village's prefix
    assert ids.registry_mask("A123", "X") == "****"


def test_registry_shown_whole_only_where_the_user_is_clerk_or_admin():
    from households.selectors import registry_shown

    path = "/64/6404/640422/640422100/640422100002/"
    number = "6404221000020001"
    assert registry_shown(number, village_path=path, reveal_paths=None) == number  # superuser
    assert registry_shown(number, village_path=path, reveal_paths=["/64/6404/640422/"]) == number
    assert registry_shown(number, village_path=path, reveal_paths=["/64/6404/640402/"]) == "640422100002****"
    assert registry_shown(number, village_path=path, reveal_paths=[]) == "640422100002****"
