from django.urls import path

from . import figure_views

urlpatterns = [
    path("", figure_views.figure_list, name="figure_list"),
    path("new/", figure_views.figure_create, name="figure_create"),
    path("<int:pk>/edit/", figure_views.figure_edit, name="figure_edit"),
    path("<int:pk>/confirm/", figure_views.figure_confirm, name="figure_confirm"),
    path("<int:pk>/return/", figure_views.figure_return, name="figure_return"),
    path("import/", figure_views.figure_import, name="figure_import"),
    path("import/template.xlsx", figure_views.figure_template, name="figure_template"),
    path("export.xlsx", figure_views.figure_export, name="figure_export"),
    path("completeness/", figure_views.figure_completeness, name="figure_completeness"),
]
