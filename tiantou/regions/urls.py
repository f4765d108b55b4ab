from django.urls import path, re_path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="region_list"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/add/", views.organisation_create, name="organisation_create"),
    path("organisations/export/", views.organisation_export, name="organisation_export"),
    path("organisations/import/", views.organisation_import, name="organisation_import"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<int:pk>/deactivate/",
        views.organisation_deactivate,
        name="organisation_deactivate",
    ),
    re_path(
        r"^(?P<code>[0-9]{12})/import-villages/$",
        views.region_import_villages,
        name="region_import_villages",
    ),
    re_path(r"^(?P<code>[0-9]{12})/$", views.region_detail, name="region_detail"),
    re_path(r"^(?P<code>[0-9]{12})/villages/add/$", views.village_create, name="village_create"),
    re_path(r"^(?P<code>[0-9]{12})/edit/$", views.village_edit, name="village_edit"),
]
