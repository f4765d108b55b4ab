"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tiantou.api.urls import api

urlpatterns = [
    path("", include("tiantou.web.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("regions/", include("tiantou.regions.urls")),
    path("accounts/", include("tiantou.accounts.urls")),
    path("people/", include("tiantou.people.urls")),
    path("ledger/", include("tiantou.ledger.urls")),
    path("indicators/", include("tiantou.indicators.urls")),
    # Targets and scorecards kept their /indicators/ paths when they became an app.
    path("indicators/", include("tiantou.targets.urls")),
    path("reports/", include("tiantou.reports.urls")),
    path("audit/", include("tiantou.core.urls")),
    path("api/v1/", api.urls),
    path("backoffice/", admin.site.urls),
]

handler404 = "tiantou.web.views.page_not_found"
handler403 = "tiantou.web.views.permission_denied"
handler500 = "tiantou.web.views.server_error"
