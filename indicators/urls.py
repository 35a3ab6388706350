from django.urls import path

from indicators.views import dashboard, drilldown, methodology, recompute
from indicators.views import warnings as warning_views

app_name = "indicators"

urlpatterns = [
    # Public at county level and above: the national and region dashboards, the methodology.
    path("", dashboard.dashboard, name="dashboard"),
    path("regions/<str:code>/", dashboard.region, name="region"),
    path("methodology/", methodology.methodology, name="methodology"),
    # Below county (login and scope): townships and villages, a village, a household.
    path("regions/<str:code>/children/", drilldown.children, name="children"),
    path("villages/<str:code>/scores/", drilldown.village, name="village"),
    path("households/<uuid:pk>/scores/", drilldown.household, name="household"),
    # The early-warning inbox and the warning workflow (login and scope).
    path("warnings/", warning_views.warning_start, name="warnings-start"),
    path("warnings/<str:code>/", warning_views.warning_inbox, name="warnings"),
    path("warnings/<str:code>/households/<uuid:pk>/", warning_views.warning_case, name="warning-case"),
    path("warnings/<str:code>/households/<uuid:pk>/steps/", warning_views.warning_step, name="warning-step"),
    # An administrator recomputes the provinces of a committed import now (the import page's button).
    path("imports/<int:pk>/recompute/", recompute.import_recompute, name="import-recompute"),
]
