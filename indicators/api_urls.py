from django.urls import path

from indicators import api

urlpatterns = [
    path("indicators/", api.IndicatorListApi.as_view(), name="indicator-list"),
    path("poverty-lines/", api.PovertyLineListApi.as_view(), name="poverty-line-list"),
    path("runs/", api.RunListApi.as_view(), name="run-list"),
    path("region-scores/", api.RegionScoreListApi.as_view(), name="region-score-list"),
    path("household-scores/", api.HouseholdScoreListApi.as_view(), name="household-score-list"),
    path("early-warning/", api.EarlyWarningListApi.as_view(), name="early-warning-list"),
]
