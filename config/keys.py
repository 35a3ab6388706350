"""Keys derived from the deployment's secrets, one per purpose (``SECRET_KEY``, ``RESIDENT_ID_KEY``).

Each purpose gets its own key, ``SHA-256("tuopin-<purpose>:" + secret)``, so a key of one use (a page
cursor, a search token, resident IDs, kept import files) opens nothing of another. Changing the
derivation changes every stored value: keep it.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet


def derived_key(purpose: str, secret: str) -> bytes:
    """The 32-byte key of ``purpose`` (e.g. ``"id-hash"``) from ``secret`` (a settings value)."""
    return hashlib.sha256(f"tuopin-{purpose}:".encode() + secret.encode()).digest()


@lru_cache(maxsize=16)
def fernet_for(purpose: str, secret: str) -> Fernet:
    """A Fernet (AES-128-CBC + HMAC-SHA256, with a timestamp) keyed by ``derived_key(purpose, secret)``."""
    return Fernet(base64.urlsafe_b64encode(derived_key(purpose, secret)))
