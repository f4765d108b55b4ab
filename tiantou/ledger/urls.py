from django.urls import path

from . import list_views, views
from .oversight import views as oversight_views

app_name = "ledger"
urlpatterns = [
    path("", list_views.activity_list, name="activity_list"),
    path("export/", list_views.activity_export, name="activity_export"),
    path("import/", list_views.activity_import, name="activity_import"),
    path("summary/townships/", list_views.summary_township, name="summary_township"),
    path("summary/cadres/", list_views.summary_cadre, name="summary_cadre"),
    path("summary/types/", list_views.summary_type, name="summary_type"),
    path("summary/months/", list_views.summary_month, name="summary_month"),
    # recording and confirming (issue: the work ledger)
    path("new/", views.activity_create, name="activity_create"),
    path("mine/", views.activity_mine, name="activity_mine"),
    path("queue/", views.confirm_queue, name="confirm_queue"),
    path("periods/", views.period_close, name="period_close"),
    # oversight of cadres: work reports, spot checks, discipline, training
    path("oversight/", oversight_views.oversight_home, name="oversight"),
    path("oversight/reports/mine/", oversight_views.report_mine, name="report_mine"),
    path("oversight/reports/inbox/", oversight_views.report_inbox, name="report_inbox"),
    path(
        "oversight/reports/write/<int:posting_pk>/<int:year>/<int:number>/",
        oversight_views.report_write,
        name="report_write",
    ),
    path("oversight/reports/<int:pk>/", oversight_views.report_detail, name="report_detail"),
    path(
        "oversight/reports/<int:pk>/read/",
        oversight_views.report_mark_read,
        name="report_mark_read",
    ),
    path("oversight/spot-checks/", oversight_views.spotcheck_list, name="spotcheck_list"),
    path("oversight/spot-checks/draw/", oversight_views.spotcheck_draw, name="spotcheck_draw"),
    path(
        "oversight/spot-checks/presence/",
        oversight_views.spotcheck_presence,
        name="spotcheck_presence",
    ),
    path(
        "oversight/spot-checks/<int:pk>/", oversight_views.spotcheck_detail, name="spotcheck_detail"
    ),
    path(
        "oversight/spot-checks/check/<int:pk>/",
        oversight_views.spotcheck_record,
        name="spotcheck_record",
    ),
    path("oversight/discipline/", oversight_views.discipline_list, name="discipline_list"),
    path("oversight/discipline/open/", oversight_views.discipline_open, name="discipline_open"),
    path(
        "oversight/discipline/<int:pk>/",
        oversight_views.discipline_detail,
        name="discipline_detail",
    ),
    path(
        "oversight/discipline/<int:pk>/escalate/",
        oversight_views.discipline_escalate,
        name="discipline_escalate",
    ),
    path(
        "oversight/discipline/<int:pk>/close/",
        oversight_views.discipline_close,
        name="discipline_close",
    ),
    path("oversight/training/", oversight_views.training_list, name="training_list"),
    path("oversight/training/add/", oversight_views.training_create, name="training_create"),
    path("oversight/training/<int:pk>/", oversight_views.training_posting, name="training_posting"),
    path("confirm/<str:token>/", views.confirm_link, name="confirm_link"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("<int:pk>/submit/", views.activity_submit, name="activity_submit"),
    path("<int:pk>/photo/", views.activity_photo_add, name="activity_photo_add"),
    path("<int:pk>/confirm/", views.activity_confirm, name="activity_confirm"),
    path("<int:pk>/reject/", views.activity_reject, name="activity_reject"),
    path("<int:pk>/reopen/", views.activity_reopen, name="activity_reopen"),
    path("<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("<int:pk>/restore/", views.activity_restore, name="activity_restore"),
    path("<int:pk>/link/", views.activity_link, name="activity_link"),
]
