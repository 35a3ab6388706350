"""Pages of the scores: dashboards, drill-down below county, the early-warning inbox, the methodology."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import page_not_found


@requires_csrf_token
def bad_request(request, exception=None):
    """The 400 page (``handler400``): the site's layout, and the reason when a view raised
    ``BadRequest`` with one of its own messages (other errors, e.g. a forged Host header, stay
    unexplained so nothing of the request is echoed)."""
    message = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"message": message}, status=400)


def not_found(request, exception=None):
    """The 404 (``handler404``): JSON under ``/api/`` (``{"detail": ...}``, as the API's own 404s),
    else the site's 404 page. An API path that matches no route answered with an HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


@requires_csrf_token
def forbidden(request, exception=None):
    """The 403 page (``handler403``): the site's layout and the reason a view gave with
    ``PermissionDenied`` (the bare default page said neither). The API's 403s are DRF's own JSON."""
    message = str(exception) if type(exception) is PermissionDenied and exception.args else ""
    return render(request, "403.html", {"message": message}, status=403)
