from django.urls import path

from indicators import api

urlpatterns = [
    path("indicators/", api.IndicatorListApi.as_view(), name="indicator-list"),
    path("poverty-lines/", api.PovertyLineListApi.as_view(), name="poverty-line-list"),
    path("runs/", api.RunListApi.as_view(), name="run-list"),
]
