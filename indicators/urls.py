from django.urls import path

app_name = "indicators"

# Each area adds its routes here: dashboard, drill-down, early warning, methodology.
urlpatterns = []

# Drill-down below county level (townships, villages, households; login and scope required).
from indicators.views import drilldown  # noqa: E402

urlpatterns += [
    path("regions/<str:code>/children/", drilldown.children, name="children"),
    path("villages/<str:code>/scores/", drilldown.village, name="village"),
    path("households/<int:pk>/scores/", drilldown.household, name="household"),
]

# Early-warning inbox and the warning workflow (login and scope required).
from indicators.views import warnings as warning_views  # noqa: E402

urlpatterns += [
    path("warnings/<str:code>/", warning_views.warning_inbox, name="warnings"),
    path("warnings/<str:code>/households/<int:pk>/", warning_views.warning_case, name="warning-case"),
    path("warnings/<str:code>/households/<int:pk>/steps/", warning_views.warning_step, name="warning-step"),
]

# The national and region dashboards (they take over "/" and "/regions/<code>/") and the methodology.
from indicators.views import dashboard, methodology  # noqa: E402

urlpatterns += [
    path("", dashboard.dashboard, name="dashboard"),
    path("regions/<str:code>/", dashboard.region, name="region"),
    path("methodology/", methodology.methodology, name="methodology"),
]
