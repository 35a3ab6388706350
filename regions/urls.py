from django.urls import path

from regions import views

app_name = "regions"

urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<str:code>/", views.region_detail, name="detail"),
    path("geo/<int:level>.geojson", views.boundaries, name="boundaries"),
]
