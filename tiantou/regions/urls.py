from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="region_list"),
    path("organisations/", views.organisation_list, name="organisation_list"),
]
