from django.urls import path

from regions import views

app_name = "regions"

urlpatterns = [
    # "/" and "/regions/<code>/" are the dashboards (indicators.urls, included first).
    path("map/tags/", views.home, name="home"),
    path("regions/<str:code>/tree/", views.region_detail, name="detail"),
    path("geo/<int:level>.topojson", views.boundaries_topojson, name="topojson"),
]
