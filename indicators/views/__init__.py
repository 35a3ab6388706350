"""Pages of the scores: dashboards, drill-down below county, the early-warning inbox, the methodology."""

from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def bad_request(request, exception=None):
    """The 400 page (``handler400``): the site's layout, and the reason when a view raised
    ``BadRequest`` with one of its own messages (other errors, e.g. a forged Host header, stay
    unexplained so nothing of the request is echoed)."""
    message = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"message": message}, status=400)
