from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("indicators.urls")),
    path("", include("regions.urls")),
    path("", include("households.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("regions.api_urls")),
    path("api/v1/", include("households.api_urls")),
    path("api/v1/", include("indicators.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "indicators.views.bad_request"  # the site's layout and the reason a view gave
handler403 = "indicators.views.forbidden"  # the site's layout and the reason a view gave
handler404 = "indicators.views.not_found"  # JSON under /api/, the site's page elsewhere
