"""Two-factor pages, included into the accounts URLs (names `accounts:twofactor…`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/two-factor/", views.overview, name="twofactor"),
    path("me/two-factor/set-up/", views.enrol, name="twofactor_enrol"),
    path("me/two-factor/verify/", views.verify, name="twofactor_verify"),
    path("me/two-factor/disable/", views.disable, name="twofactor_disable"),
    path("users/<int:pk>/two-factor/reset/", views.reset, name="twofactor_reset"),
]
