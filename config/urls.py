from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.auth import ThrottledPasswordResetView

urlpatterns = [
    path("", include("indicators.urls")),
    path("", include("regions.urls")),
    path("", include("households.urls")),
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("regions.api_urls")),
    path("api/v1/", include("households.api_urls")),
    path("api/v1/", include("indicators.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves its script from a URL: the CSP forbids inline scripts
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "indicators.views.bad_request"  # the site's layout and the reason a view gave
handler403 = "indicators.views.forbidden"  # the site's layout and the reason a view gave
handler404 = "indicators.views.not_found"  # JSON under /api/, the site's page elsewhere
