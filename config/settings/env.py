"""Typed readers for settings taken from the environment.

Each helper reads one variable, converts it, and raises ``ImproperlyConfigured`` naming the variable
when the value is missing (and no default was given) or cannot be converted. Settings modules use
these and nothing else to read the environment, so a bad deployment fails at start-up, loudly.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, default: object) -> str | object:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"Set the environment variable {name}.")
        return default
    return value.strip()


def env_str(name: str, default: str | object = _MISSING) -> str:
    """Return the variable ``name`` as text, or ``default`` when unset or blank.

    Raises:
        ImproperlyConfigured: the variable is unset and no default was given.
    """
    return _raw(name, default)  # type: ignore[return-value]


def env_bool(name: str, default: bool | object = _MISSING) -> bool:
    """Return the variable ``name`` as a boolean (1/0, true/false, yes/no, on/off).

    Raises:
        ImproperlyConfigured: unset without a default, or not one of the accepted words.
    """
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    word = str(value).lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}.")


def env_int(name: str, default: int | object = _MISSING) -> int:
    """Return the variable ``name`` as an integer.

    Raises:
        ImproperlyConfigured: unset without a default, or not an integer.
    """
    value = _raw(name, default)
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from None


def env_list(name: str, default: list[str] | object = _MISSING) -> list[str]:
    """Return the variable ``name`` split on commas, blanks dropped.

    Raises:
        ImproperlyConfigured: unset without a default, or empty after splitting.
    """
    value = _raw(name, default)
    if isinstance(value, list):
        return value
    items = [item.strip() for item in str(value).split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} must be a comma-separated list, got {value!r}.")
    return items
