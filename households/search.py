"""The household list's search, kept out of URLs and access logs.

The search form is POSTed; the view answers with a redirect to ``?s=<token>``, the query encrypted
and authenticated (Fernet, a key derived from ``SECRET_KEY``), so the result pages can be paged and
reloaded while no registry number or resident ID appears in a URL, a browser history or an access
log. A token expires after ``SEARCH_TOKEN_SECONDS`` (and with a new ``SECRET_KEY``).
"""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from config.keys import fernet_for

#: How long a search link works: a working day.
SEARCH_TOKEN_SECONDS = 10 * 3600
#: The longest query kept (a registry number has at most 40 characters).
SEARCH_MAX_LENGTH = 40


def _fernet_of(secret: str) -> Fernet:
    return fernet_for("household-search", secret)


def search_clean(text: str) -> str:
    """The query as searched: NUL characters removed (no database takes them), trimmed, at most
    ``SEARCH_MAX_LENGTH`` characters."""
    return text.replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def search_token(query: str) -> str:
    """The URL-safe token of ``query`` (``search_clean``-ed); a new one each call."""
    return _fernet_of(settings.SECRET_KEY).encrypt(search_clean(query).encode()).decode()


def search_query(token: str) -> str | None:
    """The query of a ``search_token``; ``None`` when the token is forged, mangled or expired."""
    try:
        raw = _fernet_of(settings.SECRET_KEY).decrypt(token.encode(), ttl=SEARCH_TOKEN_SECONDS)
        return search_clean(raw.decode())
    except (InvalidToken, UnicodeError, ValueError):
        return None
