"""Logins: who may sign in with a password, and the throttle on password-reset e-mails.

Failed logins are counted and locked out by django-axes (settings: ``AXES_*``); this module holds
what axes does not: API-client accounts have no password login at all, and password-reset requests
are throttled per client address and per e-mail address.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from regions.models import Assignment, Role


def is_api_client_only(user) -> bool:
    """Whether ``user`` is an API-client account: every region assignment it holds (at least one)
    is the API-client role, and it is neither a superuser nor staff.

    Such accounts read through a token (``Authorization: Token …``) and never through HTML pages.
    """
    if user.is_superuser or user.is_staff:
        return False
    roles = set(Assignment.objects.filter(user=user).values_list("role", flat=True))
    return roles == {Role.API_CLIENT}


class HtmlLoginBackend(ModelBackend):
    """Django's username/password backend, refusing API-client accounts (``is_api_client_only``).

    Every password login goes through ``authenticate()``: the site's login page and ``/admin/login/``.
    The API's token authentication does not, so an API client's token keeps working. The check is
    made at login, not on every request of a session (that would cost a query per page).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return None if user is None or is_api_client_only(user) else user


def client_address(request) -> str:
    """The client's IP address as django-axes sees it (``TUOPIN_PROXY_COUNT`` proxies trusted)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


class _PasswordResetThrottle(SimpleRateThrottle):
    """``TUOPIN_PASSWORD_RESET_RATE`` requests per ``key`` (a client address or an e-mail address),
    counted in the default cache (Redis in production) with DRF's sliding window."""

    def __init__(self, key: str):
        self.rate = settings.TUOPIN_PASSWORD_RESET_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = key

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": "password_reset", "ident": self.key}


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, refused (403 with the reason) past ``TUOPIN_PASSWORD_RESET_RATE``
    requests per client address or per e-mail address."""

    def post(self, request, *args, **kwargs):
        email = request.POST.get("email", "").strip().lower()
        keys = [f"ip:{client_address(request)}"] + ([f"email:{email}"] if email else [])
        if not all([_PasswordResetThrottle(key).allow_request(request, self) for key in keys]):
            raise PermissionDenied(_("Too many password reset requests. Try again later."))
        return super().post(request, *args, **kwargs)
