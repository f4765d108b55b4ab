"""Township scorecards: /indicators/scorecards/ (names in the `targets` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("new/", views.scheme_create, name="scheme_create"),
    path("<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/export.xlsx", views.scheme_export, name="scheme_export"),
]
