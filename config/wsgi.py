"""WSGI entry point (gunicorn ``config.wsgi``).

Each gunicorn worker imports this module before it takes its first request. Django imports the URL
configuration, and with it every view module and what they import (scipy, openpyxl, pandas, DRF:
about 0.5 s), only on the first request it serves; that visitor would wait for it, once per worker
and again after every worker restart. Loading the URL configuration here moves that cost to the
worker's start.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (the import of every view module is the point)
