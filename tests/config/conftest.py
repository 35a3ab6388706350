"""The API tests' personas (``people``) for the settings and hardening tests."""

from tests.api.conftest import people  # noqa: F401 (a fixture)
