"""Site-wide request and response rules that no single view should have to remember."""

from django.http import HttpResponseBadRequest
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _


def refuse_nul_bytes(get_response):
    """Answer 400 to a request whose path or query string holds a NUL byte (``%00``).

    No code, region or registry number contains one, and PostgreSQL refuses it in text parameters:
    without this rule ``/regions/%00/`` or ``?q=%00`` reached the database and failed there with 500.
    """

    def middleware(request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(_("The request contains a NUL byte."), content_type="text/plain")
        return get_response(request)

    return middleware


def private_cache_for_signed_in(get_response):
    """``Cache-Control: private`` (and ``Vary: Cookie, Authorization``) on every answer to a signed-in
    user or a request that carries credentials: such answers hold household data of that user's
    regions and must never be kept by a shared cache or proxy. Public answers keep their own rules."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ("Cookie", "Authorization"))
        return response

    return middleware
