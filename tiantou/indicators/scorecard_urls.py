from django.urls import path

from . import scorecard_views

urlpatterns = [
    path("", scorecard_views.scheme_list, name="scheme_list"),
    path("new/", scorecard_views.scheme_create, name="scheme_create"),
    path("<int:pk>/", scorecard_views.scheme_detail, name="scheme_detail"),
    path("<int:pk>/edit/", scorecard_views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/export.xlsx", scorecard_views.scheme_export, name="scheme_export"),
]
