from django.urls import include, path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("value/", views.value, name="value"),
    path("figures/", include("tiantou.indicators.figures.urls")),
]
