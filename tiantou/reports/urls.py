from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("settings/", views.setting_edit, name="setting_edit"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/blocks/<str:block_id>/", views.block_edit, name="block_edit"),
    path("<int:pk>/issue/", views.report_issue, name="report_issue"),
    path("<int:pk>/regenerate/", views.report_regenerate, name="report_regenerate"),
    path("<int:pk>/download.<str:fmt>", views.report_download, name="report_download"),
    path("<int:pk>/v<int:number>/", views.version_detail, name="version_detail"),
    path(
        "<int:pk>/v<int:number>/download.<str:fmt>",
        views.version_download,
        name="version_download",
    ),
]
