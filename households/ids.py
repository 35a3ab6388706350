"""Resident identity numbers (居民身份证号, GB 11643-1999): validation, hashing, encryption, masking.

An ID has 18 characters: a 6-digit area code, the birth date ``YYYYMMDD``, a 3-digit sequence and
a check character computed with ISO 7064 MOD 11-2 (``X`` stands for 10). The stored forms are:
the ciphertext (Fernet, AES-128-CBC with HMAC), a keyed hash (HMAC-SHA256) for look-ups and
duplicate checks, and a masked form (``5299**********0135``) for display. Both keys are derived
from ``settings.RESIDENT_ID_KEY``.

Household registry numbers (village code + serial) have their own mask, ``registry_mask``
(``640422100002**01``), the one every page, export and API response uses.
"""

import datetime as dt
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings

from config.keys import derived_key, fernet_for

_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643-1999)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


_ID_PROBLEMS = {
    "resident_id_shape": "a resident ID has 18 characters: 17 digits and a digit or X",
    "resident_id_birth_not_a_date": "the birth date inside the ID ({digits}) is not a date",
    "resident_id_birth_out_of_range": "the birth date inside the ID ({date}) is out of range",
    "resident_id_check_digit": "the check digit is wrong (ISO 7064 MOD 11-2): mistyped?",
}


def resident_id_check(value: str) -> tuple[str, dict] | None:
    """Why ``value`` is not a valid resident ID, as a code and its parameters (the import's problem
    codes, ``households.importing.messages``), or ``None`` when it is valid.

    Checks the shape (17 digits and a digit or ``X``), the birth date inside it (a real date, not in
    the future, not before 1900) and the check character.
    """
    if not _SHAPE.match(value):
        return "resident_id_shape", {}
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "resident_id_birth_not_a_date", {"digits": value[6:14]}
    if born.year < 1900 or born > dt.datetime.now(dt.UTC).date():
        return "resident_id_birth_out_of_range", {"date": born.isoformat()}
    if check_character(value[:17]) != value[17]:
        return "resident_id_check_digit", {}
    return None


def resident_id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid resident ID (English), or ``None`` when it is (``resident_id_check``)."""
    problem = resident_id_check(value)
    return None if problem is None else _ID_PROBLEMS[problem[0]].format(**problem[1])


def birth_date(value: str) -> dt.date:
    """The birth date encoded in a valid resident ID."""
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[Fernet, bytes]:
    return fernet_for("id-encryption", secret), derived_key("id-hash", secret)


def id_hash(value: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) of a normalised ID: equal IDs, equal hashes; no key, no guess."""
    return hmac.new(_keys(settings.RESIDENT_ID_KEY)[1], value.upper().encode(), hashlib.sha256).hexdigest()


def id_encrypt(value: str) -> str:
    """Ciphertext of an ID (Fernet token, text)."""
    return _keys(settings.RESIDENT_ID_KEY)[0].encrypt(value.upper().encode()).decode()


def id_decrypt(token: str) -> str:
    """The ID in a ciphertext made by ``id_encrypt``.

    Raises:
        cryptography.fernet.InvalidToken: wrong key or damaged text.
    """
    return _keys(settings.RESIDENT_ID_KEY)[0].decrypt(token.encode()).decode()


def id_mask(value: str) -> str:
    """Masked form: the first four and last four characters, the rest ``*`` (``5299**********0135``)."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def registry_mask(number: str, village_code: str) -> str:
    """A household registry number with its serial hidden.

    ``6404221000020001`` → ``640422100002****`` (the village code stays: pages show the village
    anyway). The whole serial goes: serials count up from 0001, so showing even its last two
    digits gave the full number away in any village of fewer than 100 households (a tester's
    finding). A number that does not start with its village code (another scheme's own id) keeps
    only its first two characters (``SILC-123456`` → ``SI*********``); four characters or fewer
    are hidden entirely. Rows stay apart by their links, not by their numbers.

    Args:
        number: the registry number as stored.
        village_code: the code of the household's village (``Household.region``).
    Returns:
        The masked text, as long as ``number``.
    """
    if number.startswith(village_code) and len(number) > len(village_code):
        return village_code + "*" * (len(number) - len(village_code))
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 2)
