from django.urls import path

from . import views

urlpatterns = [
    path("", views.figure_list, name="figure_list"),
    path("new/", views.figure_create, name="figure_create"),
    path("<int:pk>/edit/", views.figure_edit, name="figure_edit"),
    path("<int:pk>/confirm/", views.figure_confirm, name="figure_confirm"),
    path("<int:pk>/return/", views.figure_return, name="figure_return"),
    path("import/", views.figure_import, name="figure_import"),
    path("import/template.xlsx", views.figure_template, name="figure_template"),
    path("export.xlsx", views.figure_export, name="figure_export"),
    path("completeness/", views.figure_completeness, name="figure_completeness"),
]
